import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { EventEnvelope } from './envelope.js';

export const platform = pgSchema('platform');

/** Events written in the same transaction as the change that caused them. */
export const outbox = platform.table(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    eventId: uuid('event_id').notNull().unique(),
    exchange: text('exchange').notNull(),
    routingKey: text('routing_key').notNull(),
    message: jsonb('message').$type<EventEnvelope>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (table) => [index('outbox_unpublished_idx').on(table.exchange, table.id).where(sql`published_at is null`)],
);

/** The `event_id`s each consumer has applied, committed with the consumer's effect. */
export const inbox = platform.table(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    eventId: uuid('event_id').notNull(),
    handledAt: timestamp('handled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.consumer, table.eventId] }),
    // Records are appended in time order: a BRIN index finds the old ones for the retention sweep
    // at a fraction of a B-tree's size and cost per insert.
    index('inbox_handled_at_idx').using('brin', table.handledAt),
  ],
);

/** Messages the in-memory bus gave up on after its retries (RabbitMQ keeps them in `<queue>.dlq`). */
export const deadLetters = platform.table(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    queue: text('queue').notNull(),
    exchange: text('exchange').notNull(),
    routingKey: text('routing_key').notNull(),
    eventId: uuid('event_id').notNull(),
    message: jsonb('message').$type<EventEnvelope>().notNull(),
    error: text('error').notNull(),
    attempts: integer('attempts').notNull(),
    deadAt: timestamp('dead_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('dead_letters_queue_idx').on(table.queue, table.id)],
);

/**
 * Deliveries each queue's consumers have handled, for the operator's status: the inbox cannot say
 * (version-guarded read models keep no inbox row, and old rows are swept). Added to in batches.
 */
export const consumedCounts = platform.table('consumed_counts', {
  queue: text('queue').primaryKey(),
  handled: bigint('handled', { mode: 'number' }).notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
