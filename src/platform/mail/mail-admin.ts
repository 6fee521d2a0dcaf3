import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../db/executor.js';

/** The mail outbox at a glance (`npm run events -- status`). */
export interface MailStatus {
  pending: number;
  /** Claimed by a relay now (also counted in `pending`). */
  sending: number;
  sent: number;
  parked: number;
  oldest_pending_age_seconds: number | null;
}

/** A parked mail, as the operator sees it: never its data (it may hold a reset link). */
export interface ParkedMail {
  id: number;
  to: string;
  template: string;
  locale: string;
  attempts: number;
  error: string | null;
  created_at: string;
  parked_at: string;
}

export async function mailStatus(executor: Executor): Promise<MailStatus> {
  const [row] = await queryRows<Record<string, number | null>>(
    executor,
    sql`select
          count(*) filter (where sent_at is null and parked_at is null)::int as pending,
          count(*) filter (where sent_at is null and parked_at is null and claimed_until > now())::int as sending,
          count(*) filter (where sent_at is not null)::int as sent,
          count(*) filter (where parked_at is not null)::int as parked,
          extract(epoch from now() - min(created_at) filter (where sent_at is null and parked_at is null))::float8
            as oldest
        from platform.mail_outbox`,
  );
  return {
    pending: Number(row?.pending ?? 0),
    sending: Number(row?.sending ?? 0),
    sent: Number(row?.sent ?? 0),
    parked: Number(row?.parked ?? 0),
    oldest_pending_age_seconds: row?.oldest == null ? null : Math.max(0, Number(row.oldest)),
  };
}

interface ParkedRow {
  id: number | string;
  recipient: string;
  template: string;
  locale: string;
  attempts: number;
  last_error: string | null;
  created_at: Date | string;
  parked_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

/** Parked mails, oldest first, and how many there are in all. */
export async function listParkedMails(
  executor: Executor,
  window: { offset: number; limit: number },
): Promise<{ count: number; results: ParkedMail[] }> {
  const [total] = await queryRows<{ n: number }>(
    executor,
    sql`select count(*)::int as n from platform.mail_outbox where parked_at is not null`,
  );
  const rows = await queryRows<ParkedRow>(
    executor,
    sql`select id, recipient, template, locale, attempts, last_error, created_at, parked_at
        from platform.mail_outbox where parked_at is not null
        order by id limit ${window.limit} offset ${window.offset}`,
  );
  return {
    count: Number(total?.n ?? 0),
    results: rows.map((row) => ({
      id: Number(row.id),
      to: row.recipient,
      template: row.template,
      locale: row.locale,
      attempts: Number(row.attempts),
      error: row.last_error,
      created_at: iso(row.created_at),
      parked_at: iso(row.parked_at),
    })),
  };
}

/**
 * Puts parked mails back in the queue with a fresh budget: `ids`, or every parked mail. A running
 * relay sends them at its next poll. Answers how many were parked and are now pending.
 */
export async function retryParkedMails(executor: Executor, selection: { ids: readonly number[] } | 'all') {
  const which = selection === 'all' ? sql`true` : sql`id = any(${sql.param([...selection.ids])}::bigint[])`;
  const rows = await queryRows<{ id: number }>(
    executor,
    sql`update platform.mail_outbox
        set parked_at = null, attempts = 0, next_attempt_at = now(), claimed_until = null
        where parked_at is not null and ${which}
        returning id`,
  );
  return rows.length;
}
