import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { type Database, type DatabaseOptions, openDatabase } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import {
  PGBOUNCER_URL,
  POSTGRES_ADMIN_URL,
  TEST_DATABASE,
  THROUGH_PGBOUNCER,
  withDatabase,
} from './services.js';

export interface TestDatabase {
  /** `memory://` for PGlite, else the URL of a database made for this test file (what DATABASE_URL says). */
  url: string;
  /**
   * The configuration that reaches this database: DATABASE_URL, and through PgBouncer (the
   * `pgbouncer` project) DATABASE_SESSION_URL and DATABASE_PREPARED_STATEMENTS too.
   */
  config: Record<string, string>;
  open(poolSize?: number, options?: Pick<DatabaseOptions, 'eventPoolSize'>): Promise<Database>;
  drop(): Promise<void>;
}

/**
 * A fresh, empty PostgreSQL database on the machine's server; dropped by `drop()`. In the
 * `pgbouncer` project (or with `throughPgbouncer`) its statements go through PgBouncer in
 * transaction mode, its sessions (locks, LISTEN, migrations) straight to PostgreSQL.
 */
export async function createPostgresDatabase(throughPgbouncer = THROUGH_PGBOUNCER): Promise<TestDatabase> {
  const name = `mascotas_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const direct = withDatabase(POSTGRES_ADMIN_URL, name);
  const url = throughPgbouncer ? withDatabase(PGBOUNCER_URL, name) : direct;
  const pooled = throughPgbouncer ? { sessionUrl: direct, prepare: false } : {};
  return {
    url,
    config: throughPgbouncer
      ? { DATABASE_URL: url, DATABASE_SESSION_URL: direct, DATABASE_PREPARED_STATEMENTS: 'false' }
      : { DATABASE_URL: url },
    open: (poolSize = 4, options = {}) =>
      openDatabase({ url, ...pooled, dataDir: '.data/unused', poolSize, ...options }),
    async drop() {
      const cleanup = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** The database this vitest project tests on: in-memory PGlite, or a fresh PostgreSQL database. */
export async function createTestDatabase(kind: 'pglite' | 'postgres' = TEST_DATABASE): Promise<TestDatabase> {
  if (kind === 'postgres') return createPostgresDatabase();
  return {
    url: 'memory://',
    config: { DATABASE_URL: 'memory://' },
    open: () => openDatabase({ url: 'memory://', dataDir: '.data/unused', poolSize: 1 }),
    async drop() {},
  };
}

/**
 * For the calling test file: a fresh database of this project's kind with the platform's tables
 * (outbox, inbox, dead letters) and no module's, opened before its tests, closed and dropped after.
 */
export function usePlatformDatabase(): { readonly database: Database } {
  let testDatabase: TestDatabase | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = await testDatabase.open();
    await database.migrate(migrationFolders([]));
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });
  return {
    get database() {
      if (!database) throw new Error('the platform database opens in beforeAll');
      return database;
    },
  };
}
