import { randomUUID } from 'node:crypto';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../db/executor.js';
import { createEnvelope, type EventEnvelope } from './envelope.js';
import { outbox } from './events.tables.js';

/** Where relays tell each other that rows are waiting (a replica's commit wakes the publishing one). */
export const RELAY_CHANNEL = 'mascotas_outbox';

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

/** An unpublished row as the relay reads it. */
export interface OutboxRow {
  id: number;
  /** An exchange, or `queue:<name>` for a message meant for one queue (see `queueAddress`). */
  exchange: string;
  routingKey: string;
  message: EventEnvelope;
}

/** The relay's two statements on the outbox: what it reads, and how it writes down what became of a row. */
export interface OutboxRows {
  /** The unpublished rows of `destinations` with ids after `after`, in id order, at most `limit`. */
  unpublished(
    executor: Executor,
    read: { destinations: readonly string[]; after: number; limit: number },
  ): Promise<OutboxRow[]>;
  /** Published (no `error`: the broker confirmed them), or left for a later pass with the broker's refusal. */
  mark(executor: Executor, ids: readonly number[], error?: string): Promise<void>;
}

interface UnpublishedRow {
  id: number | string;
  exchange: string;
  routing_key: string;
  message: EventEnvelope;
}

export const outboxRows: OutboxRows = {
  /** One ordered probe of the unpublished-rows index per destination, merged: never a walk over published rows. */
  async unpublished(executor, { destinations, after, limit }) {
    const rows = await queryRows<UnpublishedRow>(
      executor,
      sql`select row.id, row.exchange, row.routing_key, row.message
          from unnest(${sql.param([...destinations])}::text[]) as destination(name)
          cross join lateral (
            select id, exchange, routing_key, message from platform.outbox
            where published_at is null and exchange = destination.name and id > ${after}
            order by id limit ${limit}) as row
          order by row.id limit ${limit}`,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      exchange: row.exchange,
      routingKey: row.routing_key,
      message: row.message,
    }));
  },

  /** One array parameter, not one per row: the same prepared statement for every batch. */
  async mark(executor, ids, error) {
    const assignments: SQL =
      error === undefined ? sql`published_at = now(), last_error = null` : sql`last_error = ${error}`;
    await executor.execute(
      sql`update platform.outbox set ${assignments}, attempts = attempts + 1
          where id = any(${sql.param([...ids])}::bigint[])`,
    );
  },
};
