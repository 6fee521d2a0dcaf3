import { sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../db/executor.js';
import type { MailTemplate } from './mail-templates.js';

/** A mail the relay has claimed: no other relay takes it until `claimed_until` has passed. */
export interface ClaimedMail {
  id: number;
  recipient: string;
  template: MailTemplate;
  locale: string;
  data: Record<string, unknown>;
  createdAt: Date;
  attempts: number;
  /** A relay claimed it before and stopped without saying what became of it (a crash). */
  reclaimed: boolean;
}

/** The relay's statements on the mail outbox. */
export interface MailRows {
  /** Claims up to `limit` due mails for `leaseMs`, skipping rows another relay is claiming now. */
  claim(executor: Executor, read: { limit: number; leaseMs: number }): Promise<ClaimedMail[]>;
  sent(executor: Executor, id: number): Promise<void>;
  /** The server refused it: one attempt used; tried again at `retryInMs`, or parked. */
  refused(
    executor: Executor,
    id: number,
    refusal: { error: string; retryInMs: number; park: boolean },
  ): Promise<void>;
  /** Not sent, no attempt used (the server could not be reached): due again at once. */
  release(executor: Executor, ids: readonly number[], error: string): Promise<void>;
}

interface ClaimRow {
  id: number | string;
  recipient: string;
  template: MailTemplate;
  locale: string;
  data: Record<string, unknown>;
  created_at: Date | string;
  attempts: number;
  reclaimed: boolean;
}

export const mailRows: MailRows = {
  /**
   * One statement, so the claim is committed before anything is sent. `skip locked`: two relays
   * claiming at once take different rows; the lease keeps them from each other afterwards.
   */
  async claim(executor, { limit, leaseMs }) {
    const rows = await queryRows<ClaimRow>(
      executor,
      sql`update platform.mail_outbox as mail
          set claimed_until = now() + ${leaseMs} * interval '1 millisecond'
          from (select id, claimed_until is not null as reclaimed from platform.mail_outbox
                where sent_at is null and parked_at is null and next_attempt_at <= now()
                  and (claimed_until is null or claimed_until < now())
                order by next_attempt_at, id limit ${limit}
                for update skip locked) as due
          where mail.id = due.id
          returning mail.id, mail.recipient, mail.template, mail.locale, mail.data, mail.created_at,
            mail.attempts, due.reclaimed`,
    );
    return rows
      .map((row) => ({
        id: Number(row.id),
        recipient: row.recipient,
        template: row.template,
        locale: row.locale,
        data: row.data,
        createdAt: new Date(row.created_at),
        attempts: Number(row.attempts),
        reclaimed: Boolean(row.reclaimed),
      }))
      .sort((a, b) => a.id - b.id);
  },

  /** The data goes once the mail is sent: a reset link's token is not kept in a second table. */
  async sent(executor, id) {
    await executor.execute(
      sql`update platform.mail_outbox
          set sent_at = now(), claimed_until = null, attempts = attempts + 1, last_error = null,
            data = '{}'::jsonb
          where id = ${id}`,
    );
  },

  async refused(executor, id, { error, retryInMs, park }) {
    await executor.execute(
      sql`update platform.mail_outbox
          set attempts = attempts + 1, last_error = ${error}, claimed_until = null,
            next_attempt_at = now() + ${retryInMs} * interval '1 millisecond',
            parked_at = case when ${park} then now() end
          where id = ${id}`,
    );
  },

  async release(executor, ids, error) {
    if (ids.length === 0) return;
    await executor.execute(
      sql`update platform.mail_outbox set claimed_until = null, last_error = ${error}
          where id = any(${sql.param([...ids])}::bigint[]) and sent_at is null`,
    );
  },
};
