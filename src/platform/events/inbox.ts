import type { Database, DatabaseLane, Executor } from '../db/database.js';
import type { EventEnvelope } from './envelope.js';
import type { DeadLetter, Delivery, DeliveryHandler } from './event-bus.js';
import { deadLetters, inbox } from './events.tables.js';

export type EventHandler = (message: EventEnvelope, tx: Executor, delivery: Delivery) => Promise<void>;

export interface HandleOptions {
  /**
   * The deliveries the handler makes harmless to repeat by itself: read-model writes guarded by
   * the entity's `version` (an event not newer than the row it meets changes nothing, so a
   * redelivery is a no-op), and events it ignores. They skip the inbox row and the transaction
   * around it, three statements of four for a one-row read model: the handler gets an executor on
   * which every statement commits alone, and opens `executor.transaction()` itself when several
   * statements must commit together. Such a handler must not record events.
   */
  versionGuarded?(delivery: Delivery): boolean;
}

/**
 * Makes a handler idempotent: its effect and the record of the `event_id` commit together, and a
 * redelivered event finds the record and does nothing. A concurrent duplicate waits on the
 * primary key until the first commits, then skips. Deliveries `options.versionGuarded` names go
 * straight to the handler.
 */
export function inboxHandler(
  database: DatabaseLane,
  consumer: string,
  handler: EventHandler,
  options: HandleOptions = {},
): DeliveryHandler {
  return async (delivery) => {
    if (options.versionGuarded?.(delivery)) {
      await handler(delivery.message, database.db, delivery);
      return;
    }
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
