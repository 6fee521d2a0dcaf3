import { sql } from 'drizzle-orm';
import { type Database, type DatabaseLane, type Executor, queryRows } from '../db/database.js';
import {
  BatchItemFailure,
  DELIVERY_BATCHES,
  DeliveryBatches,
  type DeliveryBatchOptions,
  ONE_BATCH_AT_A_TIME,
  TWO_BATCHES_LOCKED_IN_ORDER,
} from './delivery-batches.js';
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
   * which every statement commits alone — or, when the delivery is part of a batch, the batch's
   * transaction — and opens `executor.transaction()` itself when several statements must commit
   * together (a savepoint inside a batch). Such a handler must not record events.
   */
  versionGuarded?(delivery: Delivery): boolean;
  /**
   * The handler writes rows that many events write (a count per category): two batches at once
   * would take them in different orders and deadlock, so the queue applies one batch at a time.
   * Otherwise a queue applies a few at once (`DELIVERY_BATCHES`), each on its own connection.
   */
  sharedRows?: boolean;
  /**
   * With `sharedRows`: the handler locks the shared rows in one order (ascending key) before it
   * writes any of them, so two batches wait on each other's locks rather than deadlock: the queue
   * applies two at once (`TWO_BATCHES_LOCKED_IN_ORDER`).
   */
  locksInOrder?: boolean;
  /**
   * Applies a batch's deliveries (those to apply, in order) in one go where the handler can
   * (set-based statements), instead of `handler` one by one. A failure cannot name its delivery:
   * the batch is then applied again one delivery at a time, with `handler`.
   */
  many?(deliveries: Delivery[], tx: Executor): Promise<void>;
  /** Told when a batch goes again one delivery at a time (see `DeliveryBatchOptions`). */
  onRetryAlone?(error: unknown, size: number): void;
}

/**
 * Makes a handler idempotent: its effect and the record of the `event_id` commit together, and a
 * redelivered event finds the record and does nothing. A concurrent duplicate waits on the
 * primary key until the first commits, then skips. Deliveries `options.versionGuarded` names go
 * straight to the handler. Deliveries that arrive while the queue is busy are applied in batches
 * (`delivery-batches.ts`): one transaction, their inbox rows in one statement.
 */
export function inboxHandler(
  database: DatabaseLane,
  consumer: string,
  handler: EventHandler,
  options: HandleOptions = {},
  batching: DeliveryBatchOptions = {
    ...(options.sharedRows
      ? options.locksInOrder
        ? TWO_BATCHES_LOCKED_IN_ORDER
        : ONE_BATCH_AT_A_TIME
      : DELIVERY_BATCHES),
    ...(options.onRetryAlone && { onRetryAlone: options.onRetryAlone }),
  },
): DeliveryHandler {
  const guarded = (delivery: Delivery) => options.versionGuarded?.(delivery) === true;
  const applyOne = async (delivery: Delivery) => {
    if (guarded(delivery)) {
      await handler(delivery.message, database.db, delivery);
      return;
    }
    await database.transaction(async (tx) => {
      if ((await claim(tx, consumer, [delivery])).size === 0) return;
      await handler(delivery.message, tx, delivery);
    });
  };
  const applyBatch = (deliveries: Delivery[]) =>
    database.transaction(async (tx) => {
      const claimed = await claim(
        tx,
        consumer,
        deliveries.filter((delivery) => !guarded(delivery)),
      );
      if (options.many) {
        // A version-guarded delivery needs no claim; an event twice in the batch is applied once.
        const due = deliveries.filter(
          (delivery) => guarded(delivery) || claimed.delete(delivery.message.event_id),
        );
        await options.many(due, tx);
        return;
      }
      for (const [index, delivery] of deliveries.entries()) {
        // A version-guarded delivery needs no claim; an event twice in the batch is applied once.
        if (!guarded(delivery) && !claimed.delete(delivery.message.event_id)) continue;
        try {
          await handler(delivery.message, tx, delivery);
        } catch (error) {
          throw new BatchItemFailure(index, error);
        }
      }
    });
  const batches = new DeliveryBatches(applyBatch, applyOne, batching);
  return (delivery) => batches.apply(delivery);
}

/**
 * Records the deliveries' `event_id`s in one statement; answers those not recorded before. The ids
 * travel as one array (a statement prepared once, whatever the batch's size) and are written in
 * order, so two batches sharing ids wait for each other rather than deadlock.
 */
async function claim(tx: Executor, consumer: string, deliveries: Delivery[]): Promise<Set<string>> {
  const eventIds = [...new Set(deliveries.map((delivery) => delivery.message.event_id))].sort();
  if (eventIds.length === 0) return new Set();
  const claimed = await queryRows<{ event_id: string }>(
    tx,
    sql`insert into ${inbox} (consumer, event_id)
        select ${consumer}, event_id from unnest(${sql.param(eventIds)}::uuid[]) with ordinality as e(event_id, position)
        order by position
        on conflict do nothing
        returning event_id`,
  );
  return new Set(claimed.map((row) => row.event_id));
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
