import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type Backoff, backoffDelay } from '../backoff.js';
import type { Executor } from './executor.js';
import { classifyFailure } from './failures.js';

export interface PostgresClientOptions {
  /**
   * Named prepared statements (on by default). Off behind a pooler in transaction mode, where the
   * next statement may reach another server connection that never saw the statement prepared.
   */
  prepare: boolean;
}

/** Seconds to wait for a connection (a socket that answers nothing) before its statement fails. */
const CONNECT_TIMEOUT_SECONDS = 5;

/**
 * Before a client reconnects after its connection failed: from 50 ms, doubling, at most 1 s
 * (postgres.js waits up to 20 s, which kept requests and `/health/ready` failing that long after
 * the database was back). Jittered so that replicas do not reconnect in step.
 */
const RECONNECT: Backoff = { firstMs: 50, maxMs: 1_000, jitter: 0.5 };

/** In seconds, as postgres.js asks. */
export function reconnectDelay(failures: number): number {
  return backoffDelay(RECONNECT, failures) / 1000;
}

/** A postgres.js client with the platform's settings; `max` 1 unless said otherwise. */
export function postgresClient(
  url: string,
  options: Partial<PostgresClientOptions> & { max?: number; onclose?: () => void } = {},
): postgres.Sql {
  return postgres(url, {
    max: options.max ?? 1,
    onnotice: () => {},
    connection: { application_name: 'mascotas' },
    idle_timeout: 0,
    connect_timeout: CONNECT_TIMEOUT_SECONDS,
    backoff: reconnectDelay,
    prepare: options.prepare ?? true,
    ...(options.onclose ? { onclose: options.onclose } : {}),
  });
}

/** Statements with more parameters than this (bulk inserts, long id lists) are not worth a cached plan. */
const PREPARE_MAX_PARAMETERS = 32;

/**
 * Drizzle sends every unnamed query unprepared, and postgres.js then spends two round trips on
 * each (Parse/Describe, wait, Bind/Execute) and PostgreSQL parses and plans it every time: a third
 * of the speed of a prepared statement under load. This client prepares what drizzle sends (each
 * connection keeps its statements), inside transactions too. A client made with `prepare: false`
 * prepares nothing whatever is asked here (postgres.js ANDs the two).
 *
 * `onFailure` hears of every statement that fails (a postgres.js query runs a microtask after it
 * is first awaited, so drizzle's `.values()` still applies).
 */
export function preparing(
  client: postgres.Sql,
  onFailure?: (error: unknown) => void,
  load?: InFlight,
): postgres.Sql {
  type Scoped = (...args: unknown[]) => unknown;
  const methods = client as unknown as Record<'begin' | 'savepoint', Scoped>;
  const within =
    (method: 'begin' | 'savepoint'): Scoped =>
    (...args) => {
      const work = args.pop() as (inner: postgres.Sql) => unknown;
      // A transaction holds the connection until it ends: it counts as one statement in flight.
      const result = methods[method](...args, (inner: postgres.Sql) => work(preparing(inner, onFailure)));
      if (load) track(load, result as Promise<unknown>);
      return result;
    };
  // Made once per client, not on every property read: the hot reads call it for every statement.
  const unsafe = (
    query: string,
    parameters?: postgres.ParameterOrJSON<never>[],
    options?: postgres.UnsafeQueryOptions,
  ) => {
    const count = parameters?.length ?? 0;
    // postgres.js sends a statement without parameters in the simple protocol, parsed and planned
    // anew every time (the catalog's unfiltered count: planned on each of 36,004 calls, a third
    // of its cost): one statement goes prepared like the others. Text with several statements
    // (`;`) keeps the simple protocol, which alone can carry them. A fresh options object each
    // time: postgres.js writes to it.
    const prepare = count <= PREPARE_MAX_PARAMETERS;
    const settings =
      count === 0 && !query.includes(';') ? { simple: false, ...options, prepare } : { ...options, prepare };
    const pending = client.unsafe(query, parameters, settings);
    if (load) track(load, pending, onFailure);
    else if (onFailure) pending.catch(onFailure);
    return pending;
  };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin' || property === 'savepoint') return within(property);
      return Reflect.get(target, property, receiver);
    },
  });
}

/** Statements (and transactions) a client has been given and not yet answered. */
export interface InFlight {
  count: number;
}

/** Counts `settling` in `load` until it settles; one reaction, which also tells `onFailure`. */
function track(load: InFlight, settling: Promise<unknown>, onFailure?: (error: unknown) => void): void {
  load.count++;
  settling.then(
    () => {
      load.count--;
    },
    (error: unknown) => {
      load.count--;
      onFailure?.(error);
    },
  );
}

export function drizzleOf(
  client: postgres.Sql,
  onFailure?: (error: unknown) => void,
  load?: InFlight,
): Executor {
  return drizzlePostgres({ client: preparing(client, onFailure, load) }) as unknown as Executor;
}

/** How long a replaced client may keep settling what it still had before it is destroyed. */
const RETIRE_SECONDS = 5;

interface Slot {
  client: postgres.Sql;
  executor: Executor;
  /** The slot's current client's statements in flight (a replaced client keeps its own count). */
  load: InFlight;
}

/**
 * Single-connection clients, each statement to the least busy (in turn among equals). A client
 * whose connection closed (the backend was terminated, the network or a pooler dropped it) is
 * replaced by a fresh one at once, so the next statement starts on a clean client; the old one is
 * ended, and whatever it still holds is settled (rejected at the latest after RETIRE_SECONDS), so
 * nothing waits on it for ever. "At once" means
 * at the first statement that fails for the lost connection, too: postgres.js may reject the
 * statements of a reset connection before it reports the close, and a request arriving between
 * the two would meet the dead client again.
 */
export class ClientRing {
  private readonly slots: Slot[];
  private index = 0;
  private closing = false;
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly url: string,
    count: number,
    private readonly options: PostgresClientOptions,
  ) {
    this.slots = Array.from({ length: count }, () => {
      const slot = {} as Slot;
      this.fill(slot);
      return slot;
    });
  }

  /**
   * The least busy client, the next in turn among equals: handed out in turn regardless, a
   * statement could queue behind a slow one (a search) while another connection sat idle, which
   * put the app's p99 on search at twice the bench's minimal server, which picks this way.
   */
  next(): Executor {
    const { slots } = this;
    let best = (this.index + 1) % slots.length;
    for (let step = 2; step <= slots.length && slots[best]!.load.count > 0; step++) {
      const candidate = (this.index + step) % slots.length;
      if (slots[candidate]!.load.count < slots[best]!.load.count) best = candidate;
    }
    this.index = best;
    return slots[best]!.executor;
  }

  /** Clients replaced since the start, for tests and metrics. */
  replaced = 0;

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([
      ...this.slots.map((slot) => slot.client.end({ timeout: RETIRE_SECONDS })),
      ...this.retiring,
    ]);
  }

  private fill(slot: Slot): void {
    const client = postgresClient(this.url, {
      prepare: this.options.prepare,
      onclose: () => this.replace(slot, client),
    });
    const load: InFlight = { count: 0 };
    slot.client = client;
    slot.load = load;
    slot.executor = drizzleOf(
      client,
      (error) => {
        if (classifyFailure(error) === 'unavailable') this.replace(slot, client);
      },
      load,
    );
  }

  private replace(slot: Slot, closed: postgres.Sql): void {
    if (this.closing || slot.client !== closed) return;
    this.fill(slot);
    this.replaced++;
    const retired = closed
      .end({ timeout: RETIRE_SECONDS })
      .catch(() => {})
      .finally(() => this.retiring.delete(retired));
    this.retiring.add(retired);
  }
}
