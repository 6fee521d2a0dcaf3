import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import postgres from 'postgres';
import { ALL_MODULES } from '../src/app.js';
import { openDatabase } from '../src/platform/db/database.js';
import { migrationFolders } from '../src/platform/db/migrations.js';
import { databaseUrl, POSTGRES_ADMIN_URL } from './bench.settings.js';

/** The seed builds the app to write through its services; production config wants a secret. */
/** The seed signs nothing anyone keeps; a production start still wants a secret no one knows. */
const SEED_JWT_SECRET = randomBytes(48).toString('base64');
const SEED_SCRIPT = process.env.BENCH_SEED_SCRIPT ?? 'scripts/seed.ts';

export interface PreparedDatabase {
  url: string;
  reused: boolean;
  seedSeconds: number | null;
  liveProducts: number;
}

type Log = (line: string) => void;

function quiet(url: string, max = 1): postgres.Sql {
  return postgres(url, { max, onnotice: () => {}, idle_timeout: 0 });
}

/**
 * What the marker records of the seed besides the product count. A catalog built by an older seed
 * is kept (seeding 100,000 products through the services takes minutes); BENCH_RESEED=1 rebuilds it.
 */
function seedFingerprint(): string {
  if (!existsSync(SEED_SCRIPT)) {
    throw new Error(`${SEED_SCRIPT} is missing: the bench needs the catalog seed`);
  }
  return process.env.BENCH_RESEED === '1' ? `reseed ${Date.now()}` : 'seed';
}

async function databaseExists(name: string): Promise<boolean> {
  const admin = quiet(POSTGRES_ADMIN_URL);
  try {
    const rows = await admin`select 1 from pg_database where datname = ${name}`;
    return rows.length > 0;
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = quiet(POSTGRES_ADMIN_URL);
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export async function createDatabase(name: string): Promise<void> {
  const admin = quiet(POSTGRES_ADMIN_URL);
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** The marker the bench leaves after a complete seed; a half-seeded database has none. */
async function markerMatches(url: string, products: number, fingerprint: string): Promise<boolean> {
  const sql = quiet(url);
  try {
    const [table] = await sql`select to_regclass('public.bench_marker') as name`;
    if (!table?.name) return false;
    const rows = await sql`select products, seed from public.bench_marker`;
    return rows.length === 1 && rows[0]!.products === products && rows[0]!.seed === fingerprint;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Migrations are applied by the app's own code, exactly as the server does at start. */
export async function migrate(url: string): Promise<void> {
  const database = await openDatabase({ url, dataDir: '.data', poolSize: 1 });
  try {
    await database.migrate(migrationFolders(ALL_MODULES.map((module) => module.name)));
  } finally {
    await database.close();
  }
}

export interface SeedRun {
  /** Wait for every event to reach every read model (else `--no-wait`). */
  wait: boolean;
  /** The bus the seed's app delivers on; none is the in-memory bus. */
  amqpUrl?: string;
  /** Each line the seed writes, as it comes. */
  onLine?: (line: string) => void;
  /** The seed is stopped past this, and the promise rejects with `SeedTimeout`. */
  timeoutMs?: number;
}

export class SeedTimeout extends Error {}

export function runSeed(
  url: string,
  products: number,
  log: Log,
  run: SeedRun = { wait: false },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['--import', 'tsx', SEED_SCRIPT, '--products', String(products), '--progress', 'lines'];
    if (!run.wait) args.push('--no-wait');
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        DATABASE_URL: url,
        AMQP_URL: run.amqpUrl ?? '',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        JWT_SECRET: SEED_JWT_SECRET,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (!run.onLine) return;
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) run.onLine(line);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer =
      run.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }, run.timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (timedOut) return reject(new SeedTimeout(`the seed ran past ${run.timeoutMs! / 1000} s; stopped`));
      if (code === 0) return resolve();
      log(output);
      reject(new Error(`${SEED_SCRIPT} --products ${products} exited with ${code}`));
    });
  });
}

/**
 * `--no-wait` leaves the generated products' `product.created` events in the outbox: delivering
 * them to the four consuming modules is 400,000 handler transactions (about 20 minutes here),
 * for read models (category counts, cart and orders copies) that no measured request reads. They
 * are marked sent instead, so the app under measure does not deliver them either. The products
 * module's own tables, which every catalog request reads, are complete; checkout uses products the
 * bench creates through the API, whose events are delivered as usual.
 */
async function skipCatalogEvents(url: string): Promise<number> {
  const sql = quiet(url);
  try {
    const rows = await sql`update platform.outbox set published_at = now()
      where published_at is null and exchange = 'product_events' and routing_key = 'product.created'`;
    return rows.count;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function writeMarker(url: string, products: number, fingerprint: string): Promise<void> {
  const sql = quiet(url);
  try {
    await sql`create table if not exists public.bench_marker (products integer not null, seed text not null, seeded_at timestamptz not null default now())`;
    await sql`delete from public.bench_marker`;
    await sql`insert into public.bench_marker (products, seed) values (${products}, ${fingerprint})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function countAndVacuum(url: string): Promise<number> {
  const sql = quiet(url);
  try {
    // Index-only scans need the visibility map a bulk load leaves unset until autovacuum comes.
    await sql`vacuum analyze`;
    const [row] = await sql`select count(*)::int as n from products.products where deleted_at is null`;
    return row!.n as number;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Reuses the seeded database when its marker says so; otherwise builds it from scratch. */
export async function prepareDatabase(name: string, products: number, log: Log): Promise<PreparedDatabase> {
  const url = databaseUrl(name);
  const fingerprint = seedFingerprint();
  const reused = (await databaseExists(name)) && (await markerMatches(url, products, fingerprint));
  let seedSeconds: number | null = null;
  if (reused) {
    log(`database ${name}: reusing the seeded catalog`);
    await migrate(url);
  } else {
    log(`database ${name}: creating, migrating and seeding ${products} products`);
    await dropDatabase(name);
    await createDatabase(name);
    await migrate(url);
    const started = performance.now();
    await runSeed(url, products, log);
    const skipped = await skipCatalogEvents(url);
    seedSeconds = (performance.now() - started) / 1000;
    log(`database ${name}: ${skipped} product.created events left undelivered to other modules' read models`);
    await writeMarker(url, products, fingerprint);
    log(`database ${name}: seeded in ${seedSeconds.toFixed(1)} s`);
  }
  const liveProducts = await countAndVacuum(url);
  return { url, reused, seedSeconds, liveProducts };
}
