import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { type DatabaseSession, PgliteSessions, PostgresSession } from './session.js';

/** What repositories receive: the database itself or an open transaction; both speak drizzle. */
export type Executor = PgDatabase<PgQueryResultHKT>;

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
  dataDir: string;
  poolSize: number;
  /** PostgreSQL connections kept for the event runtime; 0 (the default) shares the requests'. */
  eventPoolSize?: number;
}

/** Normalises the two drivers' raw results into plain rows. */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows?: T[] } | T[];
  return Array.isArray(result) ? [...result] : (result.rows ?? []);
}

abstract class BaseDatabase implements Database {
  abstract readonly kind: 'pglite' | 'postgres';
  abstract get db(): Executor;
  abstract readonly events: DatabaseLane;
  abstract close(): Promise<void>;
  abstract migrate(folders: MigrationFolder[]): Promise<void>;
  abstract openSession(): Promise<DatabaseSession>;
  private readonly commits = new EventEmitter();

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
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  return { PGlite, drizzle, migrate };
}

type PgliteModules = Awaited<ReturnType<typeof loadPglite>>;

class PgliteDatabase extends BaseDatabase {
  readonly kind = 'pglite';
  readonly db: Executor;
  readonly events: DatabaseLane = this;
  private readonly sessions: PgliteSessions;
  constructor(
    private readonly client: PGlite,
    private readonly modules: PgliteModules,
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
    if (!this.client.closed) await this.client.close();
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
  private readonly clients: postgres.Sql[];
  constructor(
    private readonly url: string,
    requestClients: postgres.Sql[],
    eventClients: postgres.Sql[],
  ) {
    super();
    this.clients = [...requestClients, ...eventClients];
    this.requests = new ClientRing(requestClients);
    if (eventClients.length === 0) {
      this.events = this;
    } else {
      const ring = new ClientRing(eventClients);
      this.events = {
        get db() {
          return ring.next();
        },
        transaction: (work) => this.transactionOn(ring.next(), work),
      };
    }
  }
  get db(): Executor {
    return this.requests.next();
  }
  async openSession(): Promise<DatabaseSession> {
    return new PostgresSession(
      this.url,
      (client) => drizzlePostgres({ client: preparing(client) }) as unknown as Executor,
    );
  }
  /** Replicas starting together take turns through an advisory lock held on one connection. */
  async migrate(folders: MigrationFolder[]): Promise<void> {
    const client = postgresClient(this.url);
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
    await Promise.all(this.clients.map((client) => client.end({ timeout: 5 })));
  }
}

/** Single-connection clients handed out in turn. */
class ClientRing {
  private readonly executors: Executor[];
  private index = 0;
  constructor(clients: postgres.Sql[]) {
    this.executors = clients.map(
      (client) => drizzlePostgres({ client: preparing(client) }) as unknown as Executor,
    );
  }
  next(): Executor {
    this.index = (this.index + 1) % this.executors.length;
    return this.executors[this.index]!;
  }
}

const MIGRATION_LOCK = 7_271_001;

/** Statements with more parameters than this (bulk inserts, long id lists) are not worth a cached plan. */
const PREPARE_MAX_PARAMETERS = 32;

/**
 * Drizzle sends every unnamed query unprepared, and postgres.js then spends two round trips on
 * each (Parse/Describe, wait, Bind/Execute) and PostgreSQL parses and plans it every time: a third
 * of the speed of a prepared statement under load. This client prepares what drizzle sends (each
 * connection keeps its statements), inside transactions too.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  type Scoped = (...args: unknown[]) => unknown;
  const methods = client as unknown as Record<'begin' | 'savepoint', Scoped>;
  const within =
    (method: 'begin' | 'savepoint'): Scoped =>
    (...args) => {
      const work = args.pop() as (inner: postgres.Sql) => unknown;
      return methods[method](...args, (inner: postgres.Sql) => work(preparing(inner)));
    };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') {
        return (
          query: string,
          parameters?: postgres.ParameterOrJSON<never>[],
          options?: postgres.UnsafeQueryOptions,
        ) =>
          target.unsafe(query, parameters, {
            ...options,
            prepare: (parameters?.length ?? 0) <= PREPARE_MAX_PARAMETERS,
          });
      }
      if (property === 'begin' || property === 'savepoint') return within(property);
      return Reflect.get(target, property, receiver);
    },
  });
}

function migrationConfig(folder: MigrationFolder) {
  return {
    migrationsFolder: folder.path,
    migrationsSchema: 'drizzle',
    migrationsTable: `${folder.name}_migrations`,
  };
}

export function postgresClient(url: string, max = 1): postgres.Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: 'mascotas' },
    idle_timeout: 0,
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url && options.url !== 'memory://') {
    const open = (count: number) => Array.from({ length: count }, () => postgresClient(options.url!));
    return new PostgresDatabase(options.url, open(options.poolSize), open(options.eventPoolSize ?? 0));
  }
  const modules = await loadPglite();
  if (options.url === 'memory://') return new PgliteDatabase(await modules.PGlite.create(), modules);
  const directory = resolve(options.dataDir, 'pglite');
  mkdirSync(directory, { recursive: true });
  return new PgliteDatabase(await modules.PGlite.create(directory), modules);
}
