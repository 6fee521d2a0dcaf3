import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Config } from '../config.js';
import { DatabaseAvailability } from './availability.js';
import { type DataDirLock, lockDataDir } from './data-dir-lock.js';
import type { Executor } from './executor.js';
import { ClientRing, drizzleOf, postgresClient } from './postgres-clients.js';
import { type DatabaseSession, PgliteSessions, PostgresSession } from './session.js';

// Where every repository has always found them; they live apart so that the sessions and the
// clients below need not import this file back.
export { type Executor, queryRows } from './executor.js';

/** Connections to run statements on: the requests' own, or those kept for the event runtime. */
export interface DatabaseLane {
  /** An executor for one statement. On PostgreSQL each call may answer a different connection. */
  readonly db: Executor;
  /** Runs `work` in one transaction on one connection; listeners of `onCommit` hear of it after COMMIT. */
  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
}

export interface Database extends DatabaseLane {
  readonly kind: 'pglite' | 'postgres';
  /**
   * The consumers' connections (and the retention sweep's), apart from the requests' on PostgreSQL, so
   * that a saga step never queues behind a burst of browsing (the same lane on PGlite, or when
   * `eventPoolSize` is 0).
   */
  readonly events: DatabaseLane;
  onCommit(listener: () => void): void;
  /**
   * Whether the database answers: told of failures by whoever meets them, it pings until the
   * database is back (see availability.ts). PGlite, in the process, is always up.
   */
  readonly availability: DatabaseAvailability;
  /** A connection of the caller's own until it closes it (PGlite: the one connection, shared). */
  openSession(): Promise<DatabaseSession>;
  /** Applies each folder's drizzle-kit migrations, in order, each tracked in its own table. */
  migrate(folders: MigrationFolder[]): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface MigrationFolder {
  name: string;
  path: string;
}

export interface DatabaseOptions {
  url?: string | undefined;
  /**
   * Where session-level work connects — advisory locks, LISTEN, migrations — when `url` goes
   * through a pooler in transaction mode (which gives each transaction any server connection).
   * Unset: `url`.
   */
  sessionUrl?: string | undefined;
  /** Named prepared statements on `url`'s connections (default true; false behind such a pooler). */
  prepare?: boolean;
  dataDir: string;
  poolSize: number;
  /** PostgreSQL connections kept for the event runtime; 0 (the default) shares the requests'. */
  eventPoolSize?: number;
}

/** The database settings of the configuration. */
export function databaseOptions(config: Config, poolSize = config.DATABASE_POOL_SIZE): DatabaseOptions {
  return {
    url: config.DATABASE_URL,
    sessionUrl: config.DATABASE_SESSION_URL,
    prepare: config.DATABASE_PREPARED_STATEMENTS,
    dataDir: config.DATA_DIR,
    poolSize,
    eventPoolSize: config.DATABASE_EVENT_POOL_SIZE,
  };
}

abstract class BaseDatabase implements Database {
  abstract readonly kind: 'pglite' | 'postgres';
  abstract get db(): Executor;
  abstract readonly events: DatabaseLane;
  abstract close(): Promise<void>;
  abstract migrate(folders: MigrationFolder[]): Promise<void>;
  abstract openSession(): Promise<DatabaseSession>;
  private readonly commits = new EventEmitter();
  readonly availability = new DatabaseAvailability(() => this.ping());

  transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    return this.transactionOn(this.db, work);
  }

  /** Every lane's commits reach `onCommit`: a consumer's events leave as soon as a request's do. */
  protected async transactionOn<T>(executor: Executor, work: (tx: Executor) => Promise<T>): Promise<T> {
    const result = await executor.transaction((tx) => work(tx as unknown as Executor));
    this.commits.emit('commit');
    return result;
  }

  onCommit(listener: () => void): void {
    this.commits.on('commit', listener);
  }

  async ping(): Promise<void> {
    await this.db.execute(sql`select 1`);
  }
}

/** PGlite's modules load only when it is used: a PostgreSQL deployment starts without them. */
async function loadPglite() {
  const [{ PGlite }, { pg_trgm }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  // pg_trgm ships with PGlite but exists in a database only when loaded into the client: with it,
  // product search uses the same trigram indexes as on PostgreSQL (drizzle/products 0001, 0004).
  const extensions = { pg_trgm };
  return { PGlite, extensions, drizzle, migrate };
}

type PgliteModules = Awaited<ReturnType<typeof loadPglite>>;

/**
 * An empty, freshly initialised in-memory cluster, made once per process: every `memory://`
 * database after it starts from a copy instead of running initdb again (about 2.4 s → 0.7 s on
 * this machine), which is what a test run that opens one per test file pays for. 40 MB held by a
 * process that opens in-memory databases; a data folder never takes this path.
 */
let emptyCluster: Promise<Blob> | undefined;

async function openInMemory({ PGlite, extensions }: PgliteModules): Promise<PGlite> {
  emptyCluster ??= (async () => {
    const blank = await PGlite.create({ extensions });
    try {
      return await blank.dumpDataDir('none');
    } finally {
      await blank.close();
    }
  })();
  const loadDataDir = await emptyCluster.catch((error: unknown) => {
    emptyCluster = undefined;
    throw error;
  });
  return PGlite.create({ extensions, loadDataDir });
}

class PgliteDatabase extends BaseDatabase {
  readonly kind = 'pglite';
  readonly db: Executor;
  readonly events: DatabaseLane = this;
  private readonly sessions: PgliteSessions;
  constructor(
    private readonly client: PGlite,
    private readonly modules: PgliteModules,
    /** The data folder's lock (none in memory): this process is its one owner until `close()`. */
    private readonly lock?: DataDirLock,
  ) {
    super();
    this.db = modules.drizzle({ client }) as unknown as Executor;
    this.sessions = new PgliteSessions({ db: this.db, closed: () => client.closed });
  }
  async openSession(): Promise<DatabaseSession> {
    return this.sessions.open();
  }
  async migrate(folders: MigrationFolder[]): Promise<void> {
    const db = this.modules.drizzle({ client: this.client });
    for (const folder of folders) {
      await this.modules.migrate(db, migrationConfig(folder));
    }
  }
  async close(): Promise<void> {
    this.availability.close();
    try {
      if (!this.client.closed) await this.client.close();
    } finally {
      this.lock?.release();
    }
  }
}

/**
 * Several single-connection postgres.js clients instead of one pool: the stock pool slows to a
 * third of its speed under sustained queueing (porsager/postgres#747, see README), while
 * independent single-connection clients served in turn stay flat.
 */
class PostgresDatabase extends BaseDatabase {
  readonly kind = 'postgres';
  readonly events: DatabaseLane;
  private readonly requests: ClientRing;
  private readonly rings: ClientRing[];
  constructor(
    private readonly sessionUrl: string,
    requests: ClientRing,
    events: ClientRing | undefined,
  ) {
    super();
    this.requests = requests;
    this.rings = events ? [requests, events] : [requests];
    this.events = events
      ? {
          get db() {
            return events.next();
          },
          transaction: (work) => this.transactionOn(events.next(), work),
        }
      : this;
  }
  get db(): Executor {
    return this.requests.next();
  }
  async openSession(): Promise<DatabaseSession> {
    // A session is a connection of its own (the session URL, never a transaction pooler): it
    // may prepare its statements whatever the pooled connections do.
    const session = new PostgresSession(this.sessionUrl, drizzleOf);
    try {
      // Each statement planned for the table as it is now: the outbox relay reads and marks on a
      // session, and a plan cached while the outbox was small (a fresh deployment, a seed) kept
      // scanning it whole until autovacuum next analysed it — each mark of 1,000 rows compared
      // every row of a 100,000-row outbox against the batch, 540 ms instead of 10. Set once
      // connected rather than as a startup parameter, which a session-mode pooler may refuse.
      await session.db.execute(sql`set plan_cache_mode = force_custom_plan`);
    } catch (error) {
      await session.close().catch(() => {});
      throw error;
    }
    return session;
  }
  /** Replicas starting together take turns through an advisory lock held on one connection. */
  async migrate(folders: MigrationFolder[]): Promise<void> {
    const client = postgresClient(this.sessionUrl);
    try {
      await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
      const db = drizzlePostgres({ client });
      for (const folder of folders) {
        await migratePostgres(db, migrationConfig(folder));
      }
      await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
    } finally {
      await client.end({ timeout: 5 });
    }
  }
  async close(): Promise<void> {
    this.availability.close();
    await Promise.all(this.rings.map((ring) => ring.close()));
  }
}

const MIGRATION_LOCK = 7_271_001;

function migrationConfig(folder: MigrationFolder) {
  return {
    migrationsFolder: folder.path,
    migrationsSchema: 'drizzle',
    migrationsTable: `${folder.name}_migrations`,
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url && options.url !== 'memory://') {
    const clientOptions = { prepare: options.prepare ?? true };
    const events = options.eventPoolSize ?? 0;
    return new PostgresDatabase(
      options.sessionUrl ?? options.url,
      new ClientRing(options.url, options.poolSize, clientOptions),
      events > 0 ? new ClientRing(options.url, events, clientOptions) : undefined,
    );
  }
  const modules = await loadPglite();
  const { extensions } = modules;
  if (options.url === 'memory://') return new PgliteDatabase(await openInMemory(modules), modules);
  const directory = resolve(options.dataDir, 'pglite');
  mkdirSync(directory, { recursive: true });
  // Before PGlite touches the folder: a second process refuses here, naming the first.
  const lock = lockDataDir(resolve(options.dataDir), commandLine());
  try {
    return new PgliteDatabase(await modules.PGlite.create(directory, { extensions }), modules, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** What this process runs, as the lock names it to another one (`tsx src/server.ts`, `tsx scripts/seed.ts`). */
function commandLine(): string {
  const cwd = `${process.cwd()}/`;
  return process.argv
    .slice(1)
    .map((part) => (part.startsWith(cwd) ? part.slice(cwd.length) : part))
    .join(' ')
    .slice(0, 200);
}
