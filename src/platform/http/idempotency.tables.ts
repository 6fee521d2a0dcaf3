import { integer, jsonb, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { platform } from '../events/events.tables.js';

/** The first answer to each `Idempotency-Key`, per scope and user. */
export const idempotencyKeys = platform.table(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    userId: integer('user_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    response: jsonb('response'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.scope, table.userId, table.key] })],
);
