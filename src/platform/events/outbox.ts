import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { backoffDelay } from '../backoff.js';
import { type Database, type Executor, queryRows } from '../db/database.js';
import type { DatabaseSession } from '../db/session.js';
import { createEnvelope, type EventEnvelope } from './envelope.js';
import type { EventBus, QueueBinding } from './event-bus.js';
import { outbox } from './events.tables.js';

/** Where relays tell each other that rows are waiting (a replica's commit wakes the publishing one). */
const RELAY_CHANNEL = 'mascotas_outbox';

export interface OutboxEvent {
  exchange: string;
  routingKey: string;
  /** The entity's revision after this change. */
  version: number;
  payload: object;
}

/** Writes events in the caller's transaction; nothing leaves before that transaction commits. */
export async function recordEvents(tx: Executor, events: readonly OutboxEvent[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const rows = events.map((event) => {
    const message = createEnvelope(event.routingKey, event.version, event.payload);
    return { eventId: message.event_id, exchange: event.exchange, routingKey: event.routingKey, message };
  });
  await tx.insert(outbox).values(rows);
  return rows.map((row) => row.message);
}

/**
 * The `exchange` of an outbox row meant for one queue only (a replayed dead letter), not for every
 * queue bound to the exchange. The row keeps the event's routing key; the queue's own binding
 * says which exchange the delivery names.
 */
export const queueAddress = (queue: string) => `queue:${queue}`;

export interface QueueDelivery {
  queue: string;
  routingKey: string;
  message: EventEnvelope;
}

/**
 * Writes messages addressed to one queue each in the caller's transaction, the envelope unchanged
 * so that the consumer's inbox still knows its `event_id`. The row's own `event_id` is fresh: the
 * event's first publication keeps its row.
 */
export async function recordQueueDeliveries(
  tx: Executor,
  deliveries: readonly QueueDelivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  // Delivered at commit: the relay publishing the queue may run in another process (the CLI's replays).
  await tx.execute(sql`select pg_notify(${RELAY_CHANNEL}, '')`);
  await tx.insert(outbox).values(
    deliveries.map((delivery) => ({
      eventId: randomUUID(),
      exchange: queueAddress(delivery.queue),
      routingKey: delivery.routingKey,
      message: delivery.message,
    })),
  );
}

export interface RelayOptions {
  /** The exchanges this process publishes: the hosted modules' own. */
  exchanges: readonly string[];
  /** The hosted modules' queues: rows addressed to one of them (replays) go to it alone. */
  queues?: readonly QueueBinding[];
  batchSize: number;
  pollMs: number;
  onError(error: unknown): void;
}

interface OutboxRow {
  id: number | string;
  exchange: string;
  routing_key: string;
  message: EventEnvelope;
}

/** Batches published and not yet confirmed and marked, at most. */
const WINDOW = 4;
/** The payload of a holder's notification when it lets go of its locks. */
const RELEASED = 'released';

/**
 * Publishes committed outbox rows in id order. One relay at a time publishes a destination (an
 * exchange, or a queue for replays): the one whose database session holds that destination's
 * lock. Replicas that do not hold it wake the holder after their commits, and take the lock over
 * as soon as the holder's session ends (shutdown or crash). The holder reads rows with a plain
 * `SELECT` and writes each row once, when its confirm has come: nothing is claimed, and no
 * transaction stays open while the broker confirms. A crash between the confirm and the mark
 * leaves the row to be published again (consumers' inboxes make that harmless).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  /** Passes and flushes run one after another, in this chain. */
  private tail: Promise<void> = Promise.resolve();
  private passQueued = false;
  private stopped = true;
  /** Set by `stop()`: a flush under way ends after its current batch. */
  private halted = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Rows handed to the bus whose mark has not been written yet: never read as new. */
  private readonly unsettled = new Set<number>();
  private failures = 0;
  private readonly queues: Map<string, QueueBinding>;
  private readonly destinations: string[];
  private session: DatabaseSession | undefined;
  private readonly held = new Set<string>();
  private lastBid = Number.NEGATIVE_INFINITY;
  /** A holder let go of its locks: bid at once rather than at the next poll. */
  private bidNow = false;
  /** The last id read in this pass: a pass reads forward from the start of the table. */
  private cursor = 0;
  private committed = false;

  constructor(
    private readonly database: Database,
    private readonly bus: EventBus,
    private readonly options: RelayOptions,
  ) {
    this.queues = new Map((options.queues ?? []).map((binding) => [queueAddress(binding.queue), binding]));
    this.destinations = [...options.exchanges, ...this.queues.keys()];
  }

  start(): void {
    if (this.destinations.length === 0) return;
    this.stopped = false;
    this.halted = false;
    this.database.onCommit(() => {
      this.committed = true;
      this.wake();
    });
    this.schedule(0);
  }

  /** Asks for a pass soon; called after every commit so the in-memory bus delivers at once. */
  wake(): void {
    if (this.stopped || this.passQueued) return;
    this.passQueued = true;
    void this.enqueue(() => {
      this.passQueued = false;
      return this.pass();
    });
  }

  /** Publishes everything unsent now and waits for it; for shutdown and tests. */
  async flush(): Promise<void> {
    if (this.destinations.length === 0) return;
    await this.enqueue(async () => {
      const session = await this.lead(true);
      if (!this.leadsAll()) await session.notify(RELAY_CHANNEL);
      this.cursor = 0;
      // The first batch always; more only while the broker takes them.
      let fresh = (await this.publishBatch()).fresh;
      while (fresh > 0 && !this.halted && this.failures === 0) fresh = (await this.publishBatch()).fresh;
    });
    await Promise.all(this.inFlight);
  }

  /** Takes no new rows; publishes already under way go on. */
  async pause(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tail;
  }

  /**
   * Ends a flush under way after its batch, waits for the publishes under way to be confirmed or
   * given up, then lets go of the locks and tells the other relays, which bid at once.
   */
  async stop(): Promise<void> {
    this.halted = true;
    await this.pause();
    await Promise.allSettled(this.inFlight);
    const session = this.session;
    this.session = undefined;
    if (session) await this.release(session);
  }

  /**
   * Ends a session. Locks it held are let go first, and only then are the other relays told: a
   * standby that bids on the notification finds them free.
   */
  private async release(session: DatabaseSession): Promise<void> {
    const held = this.held.size > 0;
    this.held.clear();
    if (held && session.open) {
      try {
        await session.unlockAll();
        await session.notify(RELAY_CHANNEL, RELEASED);
      } catch {
        // The connection is going anyway; its end releases the locks.
      }
    }
    await session.close().catch(() => {});
  }

  /** Each destination this relay serves, and whether it publishes it now (holds its lock). */
  publishing(): ReadonlyMap<string, boolean> {
    return new Map(this.destinations.map((destination) => [destination, this.held.has(destination)]));
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.tail.then(work);
    this.tail = done.catch(() => {});
    return done;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedule(this.backoff());
    }, delay);
    this.timer.unref();
  }

  /** The poll interval, doubling with each failed batch, at most 64 times it or 30 s. */
  private backoff(): number {
    const { pollMs } = this.options;
    return backoffDelay({ firstMs: pollMs, maxMs: Math.min(pollMs * 64, 30_000) }, this.failures);
  }

  private leadsAll(): boolean {
    return this.held.size === this.destinations.length;
  }

  private async pass(): Promise<void> {
    try {
      const committed = this.committed;
      this.committed = false;
      const session = await this.lead(false);
      if (committed && !this.leadsAll()) await session.notify(RELAY_CHANNEL);
      this.cursor = 0;
      // After a failed publish, one batch per pass (the retry) until one goes through.
      let more = true;
      while (more && !this.stopped) more = (await this.publishBatch()).more && this.failures === 0;
    } catch (error) {
      this.options.onError(error);
    }
  }

  /**
   * Opens a session when there is none (or its connection was lost, and its locks with it), and
   * bids for the destinations it does not hold: at once when asked to, else once per poll
   * interval. A relay whose bus cannot publish holds nothing, so that one that can takes over.
   */
  private async lead(now: boolean): Promise<DatabaseSession> {
    let session = this.session;
    if (session && (!session.open || (!this.bus.isHealthy() && this.held.size > 0))) {
      this.session = undefined;
      // Marks under way land before a new session reads, so no row is read again.
      await Promise.allSettled(this.inFlight);
      await this.release(session);
      session = undefined;
    }
    if (!session) {
      const opened = await this.database.openSession();
      try {
        await opened.listen(RELAY_CHANNEL, (payload) => {
          if (payload === RELEASED) this.bidNow = true;
          this.wake();
        });
      } catch (error) {
        await opened.close().catch(() => {});
        throw error;
      }
      session = this.session = opened;
      this.lastBid = Number.NEGATIVE_INFINITY;
    }
    const wanted = this.destinations.filter((destination) => !this.held.has(destination));
    // 0.9: the poll timer and performance.now() may disagree by a millisecond.
    const due = performance.now() - this.lastBid >= this.options.pollMs * 0.9;
    if (wanted.length > 0 && this.bus.isHealthy() && (now || this.bidNow || due)) {
      this.lastBid = performance.now();
      this.bidNow = false;
      for (const destination of await session.tryLock(wanted)) this.held.add(destination);
    }
    return session;
  }

  /** Reads the next batch after the cursor and starts publishing it; confirms are awaited together. */
  private async publishBatch(): Promise<{ fresh: number; more: boolean }> {
    const session = this.session;
    if (!session?.open || this.held.size === 0) return { fresh: 0, more: false };
    // What is unsettled when the read is sent: a row leaves `unsettled` only once its mark has
    // committed, so a row the read can still see as unpublished is in this copy, whichever
    // connection marks it and whenever the answers arrive. Room is made for those after the cursor.
    const skip = new Set<number>();
    for (const id of this.unsettled) if (id > this.cursor) skip.add(id);
    const limit = this.options.batchSize + skip.size;
    const rows = await this.read(session, limit);
    // A read answered on a connection that is no longer the lock's may not be published.
    if (!session.open) return { fresh: 0, more: false };
    if (rows.length > 0) this.cursor = Number(rows[rows.length - 1]!.id);
    const fresh = rows.filter((row) => !skip.has(Number(row.id)) && !this.unsettled.has(Number(row.id)));
    if (fresh.length > 0) {
      for (const row of fresh) this.unsettled.add(Number(row.id));
      const done = this.settle(
        session,
        fresh,
        fresh.map((row) => this.publish(row)),
      );
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
      if (this.inFlight.size >= WINDOW) await Promise.race(this.inFlight);
    }
    return { fresh: fresh.length, more: rows.length === limit };
  }

  private publish(row: OutboxRow): Promise<void> {
    const binding = this.queues.get(row.exchange);
    if (!binding) return this.bus.publish(row.exchange, row.routing_key, row.message);
    return this.bus.publish(binding.exchange, row.routing_key, row.message, { queue: binding.queue });
  }

  /**
   * On the session's own connection, the one that holds the locks. One ordered probe of the
   * unpublished-rows index per destination, merged: never a walk over published rows.
   */
  private read(session: DatabaseSession, limit: number): Promise<OutboxRow[]> {
    return queryRows<OutboxRow>(
      session.db,
      sql`select row.id, row.exchange, row.routing_key, row.message
          from unnest(${sql.param([...this.held])}::text[]) as destination(name)
          cross join lateral (
            select id, exchange, routing_key, message from platform.outbox
            where published_at is null and exchange = destination.name and id > ${this.cursor}
            order by id limit ${limit}) as row
          order by row.id limit ${limit}`,
    );
  }

  private async settle(
    session: DatabaseSession,
    rows: OutboxRow[],
    publishing: Promise<void>[],
  ): Promise<void> {
    const results = await Promise.allSettled(publishing);
    const sent = rows
      .filter((_, index) => results[index]!.status === 'fulfilled')
      .map((row) => Number(row.id));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    try {
      if (sent.length > 0) await this.mark(session, sql`published_at = now(), last_error = null`, sent);
      if (failed) {
        const unsent = rows.map((row) => Number(row.id)).filter((id) => !sent.includes(id));
        await this.mark(session, sql`last_error = ${String(failed.reason)}`, unsent);
        this.failures++;
        this.options.onError(failed.reason);
      } else {
        this.failures = 0;
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      for (const row of rows) this.unsettled.delete(Number(row.id));
    }
  }

  /**
   * One array parameter, not one per row: the same prepared statement for every batch. On the
   * session while it lives (see `read`); a confirmed row may be marked from any connection.
   */
  private async mark(session: DatabaseSession, assignments: SQL, ids: number[]): Promise<void> {
    const statement = sql`update platform.outbox set ${assignments}, attempts = attempts + 1
        where id = any(${sql.param(ids)}::bigint[])`;
    if (session.open) {
      try {
        await session.db.execute(statement);
        return;
      } catch (error) {
        // Only a lost session sends the mark elsewhere; any other failure is the caller's.
        if (session.open) throw error;
      }
    }
    await this.database.events.db.execute(statement);
  }
}
