import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, text, timestamp } from 'drizzle-orm/pg-core';
import { platform } from '../events/events.tables.js';

/**
 * Mails written in the same transaction as the change that asked for them, sent by the mail relay.
 * A row is *pending* (no `sent_at`, no `parked_at`), *claimed* while `claimed_until` is in the
 * future (one relay is sending it), then *sent* or, after MAIL_MAX_ATTEMPTS refusals, *parked*.
 */
export const mailOutbox = platform.table(
  'mail_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The caller's idempotency key: recording the same key again is a no-op. */
    key: text('key').unique(),
    recipient: text('recipient').notNull(),
    template: text('template').notNull(),
    locale: text('locale').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Tries the SMTP server answered (sent or refused); an unreachable server uses none. */
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    claimedUntil: timestamp('claimed_until', { withTimezone: true }),
    lastError: text('last_error'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    parkedAt: timestamp('parked_at', { withTimezone: true }),
  },
  (table) => [
    index('mail_outbox_due_idx')
      .on(table.nextAttemptAt, table.id)
      .where(sql`sent_at is null and parked_at is null`),
    index('mail_outbox_parked_idx').on(table.id).where(sql`parked_at is not null`),
  ],
);
