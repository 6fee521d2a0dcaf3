import type { Database } from '../../src/platform/db/database.js';
import type { Executor } from '../../src/platform/db/executor.js';
import { DatabaseUnavailableError } from '../../src/platform/db/failures.js';
import type { DatabaseSession } from '../../src/platform/db/session.js';
import { createEnvelope, type EventEnvelope } from '../../src/platform/events/envelope.js';
import type { EventBus, PublishOptions } from '../../src/platform/events/event-bus.js';
import type { OutboxRow, OutboxRows } from '../../src/platform/events/outbox.js';

/**
 * In-memory stand-ins for what the outbox relay's two parts talk to — sessions with advisory locks
 * and notifications, the outbox table, the bus — each able to hold an answer back, so that a test
 * decides the order in which things arrive instead of hoping for it.
 */

export interface Gate {
  readonly promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Lets every callback and promise chain that is ready run (several turns of the event loop). */
export async function settleDown(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** What the fakes hand out as an executor: it only says where a statement was sent. */
const executorOn = (where: string) => ({ where }) as unknown as Executor;
const whereOf = (executor: Executor) => (executor as unknown as { where: string }).where;

export const ELSEWHERE = executorOn('elsewhere');

/** The sessions of one database: locks and notifications shared between them, as PostgreSQL's are. */
export class FakeSessions {
  readonly locks = new Map<string, FakeSession>();
  readonly opened: FakeSession[] = [];
  /** Every session's calls, in order: `s1 tryLock x`, `s1 unlockAll`, `s1 notify released`, … */
  readonly log: string[] = [];
  failNextListen = false;
  readonly listeners = new Set<{ session: FakeSession; listener: (payload: string) => void }>();

  readonly open = async (): Promise<FakeSession> => {
    const session = new FakeSession(`s${this.opened.length + 1}`, this);
    this.opened.push(session);
    return session;
  };
}

export class FakeSession implements DatabaseSession {
  private lost = false;
  private closed = false;

  constructor(
    readonly name: string,
    private readonly sessions: FakeSessions,
  ) {}

  get open(): boolean {
    return !this.lost && !this.closed;
  }

  get db(): Executor {
    if (!this.open) throw new DatabaseUnavailableError('the database session is closed');
    return executorOn(this.name);
  }

  async tryLock(names: readonly string[]): Promise<string[]> {
    this.record(`tryLock ${names.join(',')}`);
    return names.filter((name) => {
      const holder = this.sessions.locks.get(name);
      if (holder && holder !== this) return false;
      this.sessions.locks.set(name, this);
      return true;
    });
  }

  async unlockAll(): Promise<void> {
    this.record('unlockAll');
    this.freeLocks();
  }

  async listen(_channel: string, listener: (payload: string) => void): Promise<void> {
    if (this.sessions.failNextListen) {
      this.sessions.failNextListen = false;
      throw new DatabaseUnavailableError('LISTEN failed');
    }
    this.sessions.listeners.add({ session: this, listener });
  }

  async notify(_channel: string, payload = ''): Promise<void> {
    this.record(`notify ${payload}`.trimEnd());
    // As PostgreSQL does: later, to every listening session, the sender's own included.
    setImmediate(() => {
      for (const { session, listener } of this.sessions.listeners) if (session.open) listener(payload);
    });
  }

  async close(): Promise<void> {
    this.sessions.log.push(`${this.name} close`);
    this.closed = true;
    this.freeLocks();
  }

  /** The connection drops: PostgreSQL ends the session, and its locks go with it. */
  lose(): void {
    this.lost = true;
    this.freeLocks();
  }

  private freeLocks(): void {
    for (const [name, holder] of this.sessions.locks) if (holder === this) this.sessions.locks.delete(name);
  }

  private record(call: string): void {
    if (!this.open) throw new DatabaseUnavailableError('the database session is closed');
    this.sessions.log.push(`${this.name} ${call}`);
  }
}

interface TableRow extends OutboxRow {
  published: boolean;
  lastError?: string;
}

/**
 * `platform.outbox` in memory. A read answers what the table held when it was *sent*, as a
 * statement's snapshot does, however long its answer is held back; a mark is written when its hold
 * is opened.
 */
export class FakeOutbox implements OutboxRows {
  readonly rows: TableRow[] = [];
  readonly reads: Array<{ on: string; after: number; limit: number }> = [];
  readonly marks: Array<{ on: string; ids: number[]; error?: string }> = [];
  /** While set, reads (and marks) wait for it before they answer (are written). */
  readHold: Gate | undefined;
  markHold: Gate | undefined;
  /** A mark sent to this executor fails, once each. */
  failMarksOn = new Set<string>();
  private nextId = 1;

  add(exchange: string, count = 1, id?: number): number[] {
    return Array.from({ length: count }, () => {
      const rowId = id ?? this.nextId++;
      const message = createEnvelope('thing.happened', 1, { row: rowId });
      this.rows.push({ id: rowId, exchange, routingKey: 'thing.happened', message, published: false });
      this.rows.sort((a, b) => a.id - b.id);
      return rowId;
    });
  }

  unpublishedIds(): number[] {
    return this.rows.filter((row) => !row.published).map((row) => row.id);
  }

  async unpublished(
    executor: Executor,
    read: { destinations: readonly string[]; after: number; limit: number },
  ): Promise<OutboxRow[]> {
    this.reads.push({ on: whereOf(executor), after: read.after, limit: read.limit });
    const answer = this.rows
      .filter((row) => !row.published && row.id > read.after && read.destinations.includes(row.exchange))
      .slice(0, read.limit)
      .map(({ id, exchange, routingKey, message }) => ({ id, exchange, routingKey, message }));
    await this.readHold?.promise;
    return answer;
  }

  async mark(executor: Executor, ids: readonly number[], error?: string): Promise<void> {
    const on = whereOf(executor);
    this.marks.push({ on, ids: [...ids], ...(error === undefined ? {} : { error }) });
    await this.markHold?.promise;
    if (this.failMarksOn.delete(on)) throw new Error(`mark on ${on} failed`);
    for (const row of this.rows) {
      if (!ids.includes(row.id)) continue;
      if (error === undefined) row.published = true;
      else row.lastError = error;
    }
  }
}

/** A bus whose confirms come at once, or when the test says (`holdConfirms`). */
export class FakeBus implements EventBus {
  readonly kind = 'memory' as const;
  healthy = true;
  /** Rows handed to the bus, in order, by the `row` field of their payload. */
  readonly published: Array<{ row: number; exchange: string; queue?: string }> = [];
  holdConfirms = false;
  refuseNext = 0;
  private readonly waiting: Array<{ confirm: () => void; refuse: (error: Error) => void }> = [];

  async publish(exchange: string, _key: string, message: EventEnvelope, options: PublishOptions = {}) {
    this.published.push({
      row: Number(message.row),
      exchange,
      ...(options.queue ? { queue: options.queue } : {}),
    });
    if (this.refuseNext > 0) {
      this.refuseNext--;
      throw new Error('broker said no');
    }
    if (!this.holdConfirms) return;
    await new Promise<void>((confirm, refuse) => this.waiting.push({ confirm, refuse }));
  }

  /** Confirms the `count` oldest publishes waiting (all of them by default). */
  confirm(count = this.waiting.length): void {
    for (const waiting of this.waiting.splice(0, count)) waiting.confirm();
  }

  /** Refuses the `count` oldest publishes waiting, as a broker's nack. */
  refuse(count = this.waiting.length): void {
    for (const waiting of this.waiting.splice(0, count)) waiting.refuse(new Error('broker said no'));
  }

  rows(): number[] {
    return this.published.map((entry) => entry.row);
  }

  isHealthy = () => this.healthy;
  async declare() {}
  async subscribe() {}
  async start() {}
  async pause() {}
  async resume() {}
  async close() {}
}

/** The part of `Database` the relay uses: sessions, commits heard, and a lane for marks elsewhere. */
export function fakeDatabase(sessions: FakeSessions): Database & { commit(): void } {
  const commitListeners: Array<() => void> = [];
  return {
    openSession: sessions.open,
    onCommit: (listener: () => void) => commitListeners.push(listener),
    commit: () => {
      for (const listener of commitListeners) listener();
    },
    events: { db: ELSEWHERE },
  } as unknown as Database & { commit(): void };
}

/** A clock the test moves. */
export function manualClock(): { now: () => number; advance(ms: number): void } {
  let time = 0;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}
