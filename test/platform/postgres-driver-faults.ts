/**
 * Connection losses that crashed or wedged postgres.js 3.4.9 (upstream porsager/postgres issues
 * 1208, 1154, 1066, 1186, 1216), each tried on the package's ESM build (`src/`, what the app loads)
 * and its CommonJS build (`cjs/src/`). Run in a child process, because the crash it looks for is an
 * uncaught TypeError thrown from a `setImmediate` that takes the whole process down:
 *
 *   node --import tsx test/platform/postgres-driver-faults.ts <database url> [case name …]
 *
 * Prints one `ok <build> <case>: …` line per case and `survived` at the end (exit 0); a crash exits
 * 1 (Node's uncaught exception), a wedged or misbehaving client exits 2 with `failed …`.
 * The database needs no tables: the script makes and drops its own.
 */
import { createRequire } from 'node:module';
import type postgresModule from 'postgres';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

type Postgres = typeof postgresModule;
type Sql = ReturnType<Postgres>;

const [url, ...only] = process.argv.slice(2);
if (!url) throw new Error('usage: postgres-driver-faults.ts <database url> [case name …]');

const WEDGED_MS = 5000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Failure extends Error {}

/** How a promise ended, or `wedged` when it has not within WEDGED_MS. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const wedged = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('wedged'), WEDGED_MS);
  });
  try {
    return await Promise.race([
      promise.then(
        () => 'answered',
        (error: { code?: string; message?: string }) => `rejected ${error.code ?? error.message}`,
      ),
      wedged,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function expect(what: string, actual: string, allowed: (value: string) => boolean): void {
  if (!allowed(actual)) throw new Failure(`${what}: ${actual}`);
}

/** The client answers again: at most one query may still fail (the close may not be seen yet). */
async function answersAgain(sql: Sql): Promise<void> {
  const next = await outcome(sql`select 1 as one`);
  expect('next query', next, (value) => value === 'answered' || value.startsWith('rejected'));
  expect('query after that', await outcome(sql`select 1 as one`), (value) => value === 'answered');
}

interface Context {
  postgres: Postgres;
  proxy: TcpProxy;
  killer: Sql;
}

function client(context: Context, through: 'direct' | 'proxy'): Sql {
  return context.postgres(through === 'proxy' ? context.proxy.url(url!) : url!, {
    max: 1,
    idle_timeout: 0,
    onnotice: () => {},
    backoff: () => 0.05,
  });
}

/** Starts a transaction whose second statement runs until `kill` ends its connection. */
async function transactionKilled(sql: Sql, kill: (pid: number) => Promise<void>): Promise<string> {
  let pid: number | undefined;
  const transaction = sql.begin(async (t) => {
    const [row] = await t<{ pid: number }[]>`select pg_backend_pid() as pid`;
    pid = row!.pid;
    await t`select pg_sleep(3)`;
  });
  // Watched from the start, as an application awaits its transaction: the rejection may come
  // before `kill` returns (the backend's close can overtake the killer's answer), and a rejection
  // nobody watches yet would end this process as an unhandled rejection, not as a driver crash.
  const ended = outcome(transaction);
  while (pid === undefined) await pause(10);
  await pause(50);
  await kill(pid);
  return ended;
}

/**
 * A transaction whose connection `kill` ends mid-statement is rejected (the process lives on), and
 * the client answers again.
 */
async function transactionSurvives(
  context: Context,
  through: 'direct' | 'proxy',
  kill: (pid: number) => Promise<void>,
): Promise<string> {
  const sql = client(context, through);
  const result = await transactionKilled(sql, kill);
  expect('transaction', result, (value) => value.startsWith('rejected'));
  await answersAgain(sql);
  await sql.end({ timeout: 1 });
  return result;
}

const cases: Record<string, (context: Context) => Promise<string>> = {
  /** The backend terminated mid-statement: postgres.js's own ROLLBACK hit the closed socket. */
  'backend terminated in a transaction': (context) =>
    transactionSurvives(context, 'direct', async (pid) => {
      await context.killer`select pg_terminate_backend(${pid})`;
    }),

  /** The connection reset (RST) under a transaction, as a failover or a pooler restart does. */
  'connection reset in a transaction': (context) =>
    transactionSurvives(context, 'proxy', async () => context.proxy.cut('reset')),

  /** The connection closed cleanly (FIN) under a transaction. */
  'connection closed in a transaction': (context) =>
    transactionSurvives(context, 'proxy', async () => context.proxy.cut('end')),

  /** Statements queued inside the transaction when its connection dies are settled too. */
  async 'queued statements of a dead transaction'(context) {
    const sql = client(context, 'proxy');
    const statements: Promise<unknown>[] = [];
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const transaction = sql.begin(async (t) => {
      // A statement with parameters waits for its description: the ones after it queue.
      statements.push(t`select pg_sleep(${3})`);
      for (let n = 0; n < 5; n++) statements.push(t`select ${n}::int as n`);
      started();
      await Promise.allSettled(statements);
    });
    await running;
    await pause(200);
    context.proxy.cut('reset');
    expect('transaction', await outcome(transaction), (value) => value.startsWith('rejected'));
    const settled = await Promise.all(statements.map(outcome));
    for (const [index, value] of settled.entries())
      expect(`queued statement ${index}`, value, (v) => v.startsWith('rejected'));
    await answersAgain(sql);
    await sql.end({ timeout: 1 });
    return `${settled.length} statements rejected`;
  },

  /**
   * A transaction whose connection died while its callback was awaiting something else: what the
   * callback does next never runs on the connection that replaced it (upstream: the insert ran
   * there, outside any transaction, and committed).
   */
  async 'transaction never goes on over a new connection'(context) {
    const sql = client(context, 'proxy');
    await sql`create table if not exists driver_probe (n int)`;
    await sql`truncate driver_probe`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let killed!: () => void;
    const inside = new Promise<void>((resolve) => {
      killed = resolve;
    });
    let late = 'not tried';
    const transaction = sql.begin(async (t) => {
      await t`select 1`;
      killed();
      await gate;
      late = await outcome(t`insert into driver_probe values (1)`);
    });
    await inside;
    context.proxy.cut('reset');
    expect('transaction', await outcome(transaction), (value) => value.startsWith('rejected'));
    // The client reconnects for another statement; only then does the dead callback go on.
    await answersAgain(sql);
    release();
    await pause(300);
    expect('late insert', late, (value) => value.startsWith('rejected'));
    const [count] = await sql<{ rows: number }[]>`select count(*)::int as rows from driver_probe`;
    expect('rows written after the connection died', String(count!.rows), (value) => value === '0');
    await sql`drop table driver_probe`;
    await sql.end({ timeout: 1 });
    return late;
  },

  /**
   * The connection reset while a new client fetches the server's array types (the client's second
   * message, after the startup): its statement is rejected or answered on a reconnect, and the
   * fetch does not become an unhandled rejection (which ends the process too).
   */
  async 'connection reset while the types are fetched'(context) {
    const sql = client(context, 'proxy');
    context.proxy.resetNextAt(2);
    const first = await outcome(sql`select 1 as one`);
    expect('first statement', first, (value) => value === 'answered' || value.startsWith('rejected'));
    await pause(100);
    await answersAgain(sql);
    await sql.end({ timeout: 1 });
    return first;
  },

  /** A backend terminated while idle: the next statements answer. */
  async 'idle connection terminated'(context) {
    const sql = client(context, 'direct');
    const [row] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await context.killer`select pg_terminate_backend(${row!.pid})`;
    await pause(100);
    await answersAgain(sql);
    await sql.end({ timeout: 1 });
    return 'answers';
  },
};

async function run(build: 'esm' | 'cjs', postgres: Postgres): Promise<void> {
  const target = new URL(url!);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const killer = postgres(url!, { max: 1, onnotice: () => {} });
  try {
    for (const [name, test] of Object.entries(cases)) {
      if (only.length > 0 && !only.includes(name)) continue;
      const result = await test({ postgres, proxy, killer });
      console.log(`ok ${build} ${name}: ${result}`);
    }
  } finally {
    await killer.end({ timeout: 1 });
    await proxy.close();
  }
}

try {
  const esm = (await import('postgres')).default;
  const cjs = createRequire(import.meta.url)('postgres') as Postgres;
  if (esm === cjs) throw new Failure('the ESM and CommonJS builds resolved to the same module');
  await run('esm', esm);
  await run('cjs', cjs);
  console.log('survived');
  process.exit(0);
} catch (error) {
  if (!(error instanceof Failure)) throw error;
  console.log(`failed ${error.message}`);
  process.exit(2);
}
