import type { Database, DatabaseLane, Executor } from '../db/database.js';
import type { EventEnvelope } from './envelope.js';
import type { DeadLetter, Delivery, DeliveryHandler } from './event-bus.js';
import { deadLetters, inbox } from './events.tables.js';

export type EventHandler = (message: EventEnvelope, tx: Executor, delivery: Delivery) => Promise<void>;

/**
 * Makes a handler idempotent: its effect and the record of the `event_id` commit together, and a
 * redelivered event finds the record and does nothing. A concurrent duplicate waits on the
 * primary key until the first commits, then skips.
 */
export function inboxHandler(
  database: DatabaseLane,
  consumer: string,
  handler: EventHandler,
): DeliveryHandler {
  return async (delivery) => {
    await database.transaction(async (tx) => {
      const claimed = await tx
        .insert(inbox)
        .values({ consumer, eventId: delivery.message.event_id })
        .onConflictDoNothing()
        .returning({ eventId: inbox.eventId });
      if (claimed.length === 0) return;
      await handler(delivery.message, tx, delivery);
    });
  };
}

/** Where the in-memory bus parks what it gave up on. */
export function deadLetterTable(database: Database): (entry: DeadLetter) => Promise<void> {
  return async (entry) => {
    await database.db.insert(deadLetters).values({
      queue: entry.queue,
      exchange: entry.exchange,
      routingKey: entry.routingKey,
      eventId: entry.message.event_id,
      message: entry.message,
      error: entry.error.slice(0, 2000),
      attempts: entry.attempts,
    });
  };
}
