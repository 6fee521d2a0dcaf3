import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { type Database, type Executor, queryRows } from '../db/database.js';
import { createEnvelope, type EventEnvelope } from './envelope.js';
import type { EventBus, QueueBinding } from './event-bus.js';
import { outbox } from './events.tables.js';

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
  /** How long a claimed row is left to this relay before another may take it. */
  leaseSeconds?: number;
  onError(error: unknown): void;
}

interface ClaimedRow {
  id: number | string;
  exchange: string;
  routing_key: string;
  message: EventEnvelope;
}

/**
 * Publishes committed outbox rows in id order. Rows are claimed with a lease taken under
 * `FOR UPDATE SKIP LOCKED`, so replicas never publish the same row at the same time, and no
 * transaction stays open while the broker confirms. A row is marked sent only after its confirm;
 * a crash in between leaves it to be sent again once the lease runs out.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  private failures = 0;
  private readonly queues: Map<string, QueueBinding>;
  private readonly destinations: string[];

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
    this.database.onCommit(() => this.wake());
    this.schedule(0);
  }

  /** Asks for a pass soon; called after every commit so the in-memory bus delivers at once. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Publishes everything unsent now and waits for it; for shutdown and tests. */
  async flush(): Promise<void> {
    await this.running;
    while ((await this.publishBatch()) > 0) {}
    await Promise.all(this.inFlight);
  }

  /** Takes no new rows; publishes already under way go on. */
  async pause(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Pauses, then waits for the publishes under way to be confirmed or given up. */
  async stop(): Promise<void> {
    await this.pause();
    await Promise.allSettled(this.inFlight);
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

  private backoff(): number {
    return Math.min(this.options.pollMs * 2 ** Math.min(this.failures, 6), 30_000);
  }

  private async pass(): Promise<void> {
    try {
      while (!this.stopped && (await this.publishBatch()) === this.options.batchSize) {}
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** Claims one batch and starts publishing it; confirms are awaited together, not one by one. */
  private async publishBatch(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const publishing = rows.map((row) => this.publish(row));
    const done = this.settle(rows, publishing);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
    if (this.inFlight.size >= 4) await Promise.race(this.inFlight);
    return rows.length;
  }

  private publish(row: ClaimedRow): Promise<void> {
    const binding = this.queues.get(row.exchange);
    if (!binding) return this.bus.publish(row.exchange, row.routing_key, row.message);
    return this.bus.publish(binding.exchange, row.routing_key, row.message, { queue: binding.queue });
  }

  private async claim(): Promise<ClaimedRow[]> {
    if (this.destinations.length === 0) return [];
    const exchanges = sql.join(
      this.destinations.map((exchange) => sql`${exchange}`),
      sql`, `,
    );
    const lease = `${this.options.leaseSeconds ?? 30} seconds`;
    const rows = await queryRows<ClaimedRow>(
      this.database.events.db,
      sql`update platform.outbox set claimed_until = now() + ${lease}::interval, attempts = attempts + 1
          where id in (
            select id from platform.outbox
            where published_at is null and exchange in (${exchanges})
              and (claimed_until is null or claimed_until < now())
            order by id limit ${this.options.batchSize}
            for update skip locked)
          returning id, exchange, routing_key, message`,
    );
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  private async settle(rows: ClaimedRow[], publishing: Promise<void>[]): Promise<void> {
    const results = await Promise.allSettled(publishing);
    const sent = rows
      .filter((_, index) => results[index]!.status === 'fulfilled')
      .map((row) => Number(row.id));
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    try {
      if (sent.length > 0) await this.mark(sql`published_at = now(), last_error = null`, sent);
      if (failed) {
        const unsent = rows.map((row) => Number(row.id)).filter((id) => !sent.includes(id));
        await this.mark(sql`claimed_until = null, last_error = ${String(failed.reason)}`, unsent);
        this.failures++;
        this.options.onError(failed.reason);
      } else {
        this.failures = 0;
      }
    } catch (error) {
      this.options.onError(error);
    }
  }

  /** One array parameter, not one per row: the same prepared statement for every batch. */
  private async mark(assignments: SQL, ids: number[]): Promise<void> {
    await this.database.events.db.execute(
      sql`update platform.outbox set ${assignments} where id = any(${sql.param(ids)}::bigint[])`,
    );
  }
}
