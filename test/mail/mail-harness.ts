import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { recordMail } from '../../src/platform/mail/mail-outbox.js';
import { MailRelay, type MailRelayOptions } from '../../src/platform/mail/mail-relay.js';
import type { MailRequest } from '../../src/platform/mail/mail-templates.js';
import {
  type MailTransport,
  type OutgoingMail,
  SmtpTransport,
} from '../../src/platform/mail/mail-transport.js';
import { testConfig } from '../helpers/test-config.js';

export const FROM = 'Mascotas <no-reply@shop.example>';
export const silentLogger = { info() {}, warn() {}, error() {}, debug() {} };

export const resetMail = (to: string, key?: string): MailRequest => ({
  to,
  template: 'password_reset',
  locale: 'es',
  data: { name: 'Ana', link: 'https://shop.example/reset?token=abc123', expires_in_minutes: 30 },
  ...(key ? { key } : {}),
});

export const smtpTransport = (url: string, timeoutMs = 2000) =>
  new SmtpTransport(testConfig({ SMTP_URL: url, MAIL_SEND_TIMEOUT_MS: timeoutMs }));

/** A transport that never answers: the process is killed while the server has not yet said yes. */
export const hangingTransport = (): MailTransport => ({
  kind: 'smtp',
  destination: 'nowhere',
  send: () => new Promise<void>(() => {}),
  close() {},
});

/** Hands the mail to `inner`, then never returns: killed after the server took it, before the mark. */
export const acceptThenHang = (inner: MailTransport): MailTransport => ({
  kind: 'smtp',
  destination: inner.destination,
  send: async (mail: OutgoingMail) => {
    await inner.send(mail);
    await new Promise<void>(() => {});
  },
  close: () => inner.close(),
});

export interface MailRow {
  id: number;
  attempts: number;
  sent: boolean;
  parked: boolean;
  claimed: boolean;
  last_error: string | null;
}

export async function mailRowsOf(database: Database): Promise<MailRow[]> {
  const rows = await queryRows<MailRow>(
    database.db,
    sql`select id::int as id, attempts, sent_at is not null as sent, parked_at is not null as parked,
          claimed_until is not null as claimed, last_error
        from platform.mail_outbox order by id`,
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), attempts: Number(row.attempts) }));
}

export function recordIn(database: Database, ...mails: MailRequest[]): Promise<void> {
  return database.transaction(async (tx) => {
    for (const mail of mails) await recordMail(tx, mail);
  });
}

/** Resolves once `check` holds, polling; fails after `ms`. */
export async function eventually(check: () => Promise<boolean> | boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Relays made by a test, stopped after it (the abandoned ones are dead processes: left alone). */
export class RelayPark {
  private readonly running = new Set<MailRelay>();
  counts = { sent: 0, failed: 0, parked: 0 };

  make(database: Database, transport: MailTransport, options: Partial<MailRelayOptions> = {}): MailRelay {
    const relay = new MailRelay(database, {
      transport,
      from: FROM,
      maxAttempts: 3,
      retry: { firstMs: 20, maxMs: 100 },
      pollMs: 25,
      batchSize: 10,
      leaseMs: 5000,
      logger: silentLogger,
      observer: {
        sent: () => this.counts.sent++,
        failed: () => this.counts.failed++,
        parked: () => this.counts.parked++,
      },
      ...options,
    });
    this.running.add(relay);
    return relay;
  }

  kill(relay: MailRelay): void {
    this.running.delete(relay);
    relay.abandon();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((relay) => relay.stop()));
    this.running.clear();
    this.counts = { sent: 0, failed: 0, parked: 0 };
  }
}
