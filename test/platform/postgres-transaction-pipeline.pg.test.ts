import { createRequire } from 'node:module';
import net from 'node:net';
import postgresEsm from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';

type Postgres = typeof postgresEsm;
const postgresCjs = createRequire(import.meta.url)('postgres') as Postgres;

/**
 * A proxy to PostgreSQL that holds back every byte of the server's answers until the client has
 * sent `marker` (a statement's text): a client that waited for BEGIN's answer before sending the
 * transaction's first statement would wait for ever.
 */
async function withholdingProxy(target: URL, marker: string): Promise<{ url: string; close(): void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let sent = '';
    let open = false;
    const held: Buffer[] = [];
    client.on('data', (chunk) => {
      upstream.write(chunk);
      sent += chunk.toString('latin1');
      if (!open && sent.includes(`begin`) && sent.includes(marker)) {
        open = true;
        for (const answer of held.splice(0)) client.write(answer);
      }
    });
    upstream.on('data', (chunk) => {
      // The start-up exchange (authentication, parameters) passes; only answers after a BEGIN wait.
      if (open || !sent.includes('begin')) client.write(chunk);
      else held.push(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/**
 * The postgres.js patch sends a plain BEGIN together with the transaction's first statements
 * instead of waiting for its answer: a round trip less for every transaction.
 */
describe.each([
  ['ESM', postgresEsm],
  ['CommonJS', postgresCjs],
])('a transaction of the PostgreSQL driver (%s build)', (_build, postgres) => {
  let database: TestDatabase;
  let sql: ReturnType<Postgres>;
  beforeAll(async () => {
    database = await createPostgresDatabase(false);
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    await sql`create table items (id int primary key, label text not null)`;
  });
  afterAll(async () => {
    await sql?.end({ timeout: 5 });
    await database?.drop();
  });

  it('when a transaction starts, then its first statement goes before BEGIN is answered', async () => {
    const proxy = await withholdingProxy(new URL(database.url), 'pipelined_marker');
    const through = postgres(proxy.url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
    try {
      const answer = await Promise.race([
        through.begin((tx) => tx.unsafe(`select 'pipelined_marker' as marker`)),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the statement waited for BEGIN')), 5_000),
        ),
      ]);
      expect(answer).toEqual([{ marker: 'pipelined_marker' }]);
    } finally {
      await through.end({ timeout: 1 }).catch(() => {});
      proxy.close();
    }
  });

  it('when the callback fails after a pipelined write, then nothing of it is committed', async () => {
    const failure = await sql
      .begin(async (tx) => {
        await tx`insert into items values (1, 'one')`;
        throw new Error('changed my mind');
      })
      .catch((error: Error) => error.message);
    expect(failure).toBe('changed my mind');
    const duplicate = await sql
      .begin(async (tx) => {
        await tx`insert into items values (2, 'two')`;
        await tx`insert into items values (2, 'again')`;
      })
      .catch((error: { code?: string }) => error.code);
    expect(duplicate).toBe('23505');
    expect(await sql`select id from items`).toEqual([]);
  });

  it('when statements are sent outside while a transaction holds the connection, then none runs inside it', async () => {
    // The BEGIN queues behind a slow statement on the one connection; what is sent after it waits.
    const order: string[] = [];
    const slow = sql`select pg_sleep(0.05)`.execute();
    const transaction = sql
      .begin(async (tx) => {
        await tx`insert into items values (3, 'three')`;
        await tx`select pg_sleep(0.05)`;
      })
      .then(() => order.push('transaction'));
    const outside = sql`select pg_current_xact_id_if_assigned()::text as xid,
                               (select count(*)::int from items where id = 3) as n`
      .execute()
      .then(([row]) => {
        order.push('outside');
        return row;
      });
    const [row] = await Promise.all([outside, transaction, slow]);
    expect(order).toEqual(['transaction', 'outside']);
    expect(row).toEqual({ xid: null, n: 1 });
  });

  it('when a transaction asks for an isolation level, then it runs with it', async () => {
    const level = await sql.begin('isolation level serializable', async (tx) => {
      const [row] = await tx`show transaction_isolation`;
      return row?.transaction_isolation;
    });
    expect(level).toBe('serializable');
    const plain = await sql.begin(async (tx) => {
      const [row] = await tx`select count(*)::int as n from items where id = 3`;
      return row?.n;
    });
    expect(plain).toBe(1);
  });
});
