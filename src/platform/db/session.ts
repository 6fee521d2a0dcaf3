import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import postgres from 'postgres';
import type { Executor } from './executor.js';
import { DatabaseUnavailableError } from './failures.js';

/**
 * One connection of its own for as long as it is open, for work that needs a session: a lock held
 * by this session alone (who publishes an exchange's outbox), and notifications between processes.
 */
export interface DatabaseSession {
  /** Statements on this session's connection, in the order they are sent. */
  readonly db: Executor;
  /** False once the connection has closed: the locks it held are gone with it, never retaken silently. */
  readonly open: boolean;
  /** Takes the named locks no other session holds; answers the names this session now holds. */
  tryLock(names: readonly string[]): Promise<string[]>;
  /** Lets go of every lock this session holds; the session stays open. */
  unlockAll(): Promise<void>;
  /** Calls `listener` with the payload of every `notify(channel)` of any session, in any process. */
  listen(channel: string, listener: (payload: string) => void): Promise<void>;
  notify(channel: string, payload?: string): Promise<void>;
  /** Releases the locks and the connection. */
  close(): Promise<void>;
}

/** A 64-bit advisory-lock key per name: distinct names do not share a lock in practice. */
function lockKey(name: string): string {
  return createHash('sha256').update(`mascotas:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * A single-connection postgres.js client that is never reconnected: once its connection closes,
 * PostgreSQL has released its advisory locks, so the session says it is closed and the caller opens
 * another (a reconnected client would look alive without the locks).
 */
export class PostgresSession implements DatabaseSession {
  private readonly executor: Executor;
  private closed = false;
  private readonly client: postgres.Sql;

  constructor(url: string, wrap: (client: postgres.Sql) => Executor) {
    this.client = postgres(url, {
      max: 1,
      idle_timeout: 0,
      max_lifetime: null,
      connect_timeout: 5,
      onnotice: () => {},
      // The server ends a session whose client vanished within ~25 s, and its locks with it.
      connection: {
        application_name: 'mascotas-session',
        tcp_keepalives_idle: 10,
        tcp_keepalives_interval: 5,
        tcp_keepalives_count: 3,
      },
      keep_alive: 10,
      onclose: () => {
        this.closed = true;
      },
    });
    this.executor = wrap(this.client);
  }

  /** Refused once closed: postgres.js would open a new connection, without the locks. */
  get db(): Executor {
    this.usable();
    return this.executor;
  }

  get open(): boolean {
    return !this.closed;
  }

  async tryLock(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    this.usable();
    const rows = await this.client<{ name: string }[]>`
      select name from unnest(${[...names]}::text[], ${names.map(lockKey)}::bigint[]) as wanted(name, key)
      where pg_try_advisory_lock(key)`;
    return rows.map((row) => row.name);
  }

  async unlockAll(): Promise<void> {
    this.usable();
    await this.client`select pg_advisory_unlock_all()`;
  }

  async listen(channel: string, listener: (payload: string) => void): Promise<void> {
    await this.client.listen(channel, listener);
  }

  async notify(channel: string, payload = ''): Promise<void> {
    this.usable();
    await this.client`select pg_notify(${channel}, ${payload})`;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.end({ timeout: 5 });
  }

  private usable(): void {
    if (this.closed) throw new DatabaseUnavailableError('the database session is closed');
  }
}

/**
 * PGlite lives in one process with one connection: its sessions share the connection, and their
 * locks and notifications are kept here, between the sessions of that one database.
 */
export class PgliteSessions {
  private readonly holders = new Map<string, PgliteSession>();
  private readonly notifications = new EventEmitter();

  constructor(private readonly connection: { db: Executor; closed(): boolean }) {
    this.notifications.setMaxListeners(0);
  }

  open(): DatabaseSession {
    return new PgliteSession(this.connection, this.holders, this.notifications);
  }
}

class PgliteSession implements DatabaseSession {
  private readonly listeners: Array<[string, (payload: string) => void]> = [];
  private released = false;

  constructor(
    private readonly connection: { db: Executor; closed(): boolean },
    private readonly holders: Map<string, PgliteSession>,
    private readonly notifications: EventEmitter,
  ) {}

  get db(): Executor {
    return this.connection.db;
  }

  get open(): boolean {
    return !this.released && !this.connection.closed();
  }

  async tryLock(names: readonly string[]): Promise<string[]> {
    return names.filter((name) => {
      const holder = this.holders.get(name);
      if (holder && holder !== this) return false;
      this.holders.set(name, this);
      return true;
    });
  }

  async unlockAll(): Promise<void> {
    for (const [name, holder] of this.holders) if (holder === this) this.holders.delete(name);
  }

  async listen(channel: string, listener: (payload: string) => void): Promise<void> {
    this.notifications.on(channel, listener);
    this.listeners.push([channel, listener]);
  }

  async notify(channel: string, payload = ''): Promise<void> {
    // Later, as a notification from PostgreSQL arrives: never inside the notifier's own call.
    setImmediate(() => this.notifications.emit(channel, payload));
  }

  async close(): Promise<void> {
    this.released = true;
    await this.unlockAll();
    for (const [channel, listener] of this.listeners) this.notifications.off(channel, listener);
  }
}
