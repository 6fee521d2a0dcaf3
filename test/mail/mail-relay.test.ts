import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { mailStatus, retryParkedMails } from '../../src/platform/mail/mail-admin.js';
import { recordMail } from '../../src/platform/mail/mail-outbox.js';
import { messageIdOf } from '../../src/platform/mail/mail-relay.js';
import { MailRetention } from '../../src/platform/mail/mail-retention.js';
import { mailRows } from '../../src/platform/mail/mail-rows.js';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { usePlatformDatabase } from '../helpers/test-database.js';
import {
  acceptThenHang,
  eventually,
  hangingTransport,
  mailRowsOf,
  pause,
  RelayPark,
  recordIn,
  resetMail,
  smtpTransport,
} from './mail-harness.js';

/** The mail relay against a real SMTP server (smtp-server), on this project's database. */
describe('the mail relay', () => {
  const platform = usePlatformDatabase();
  const smtp = new SmtpCatcher();
  const relays = new RelayPark();

  beforeAll(() => smtp.start());
  afterAll(() => smtp.stop());
  beforeEach(async () => {
    await platform.database.db.execute(sql`delete from platform.mail_outbox`);
    smtp.received.length = 0;
    smtp.refuse = false;
    smtp.delayMs = 0;
  });
  afterEach(async () => {
    await relays.stopAll();
    await smtp.start().catch(() => {});
  });

  it('when a mail is recorded in a committed transaction, then the SMTP server receives it once, in text and HTML', async () => {
    const { database } = platform;
    relays.make(database, smtpTransport(smtp.url)).start();
    await recordIn(database, resetMail('ana@shop.example'));

    const [mail] = await smtp.waitFor(1);
    await pause(200);
    expect(smtp.received).toHaveLength(1);
    expect(mail!.to).toEqual(['ana@shop.example']);
    expect(mail!.subject).toBe('Restablece tu contraseña de Mascotas');
    expect(mail!.raw).toMatch(/Content-Type: text\/plain/);
    expect(mail!.raw).toMatch(/Content-Type: text\/html/);
    expect(mail!.decoded).toContain('https://shop.example/reset?token=abc123');
    const [row] = await mailRowsOf(database);
    expect(row).toMatchObject({ sent: true, attempts: 1, claimed: false, last_error: null });
    expect(mail!.messageId).toMatch(new RegExp(`^<mail-${row!.id}\\.\\d+@shop\\.example>$`));
    expect(relays.counts.sent).toBe(1);
  });

  it('when the transaction that recorded a mail rolls back, then nothing is sent', async () => {
    const { database } = platform;
    const relay = relays.make(database, smtpTransport(smtp.url));
    relay.start();
    await expect(
      database.transaction(async (tx) => {
        await recordMail(tx, resetMail('ana@shop.example'));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await relay.flush();
    await pause(150);
    expect(smtp.received).toHaveLength(0);
    expect(await mailRowsOf(database)).toEqual([]);
  });

  it('when the same idempotency key is recorded twice, then one mail is sent', async () => {
    const { database } = platform;
    await recordIn(database, resetMail('ana@shop.example', 'users:reset:1'));
    await recordIn(database, resetMail('ana@shop.example', 'users:reset:1'), resetMail('bo@shop.example'));
    relays.make(database, smtpTransport(smtp.url)).start();
    await smtp.waitFor(2);
    await pause(200);
    expect(smtp.received.map((mail) => mail.to[0]).sort()).toEqual(['ana@shop.example', 'bo@shop.example']);
  });

  it('when the SMTP server is down, then mails wait without using attempts and go out once it is back', async () => {
    const { database } = platform;
    await smtp.stop();
    relays.make(database, smtpTransport(smtp.url)).start();
    await recordIn(database, resetMail('ana@shop.example'), resetMail('bo@shop.example'));
    await eventually(
      async () => (await mailRowsOf(database)).every((row) => row.last_error !== null),
      'a failed try',
    );
    await pause(300);
    // The relay keeps trying the server (every 100 ms at most here), claiming the mails for each
    // try: read them between two tries, when they are released again.
    let rows = await mailRowsOf(database);
    await eventually(async () => {
      rows = await mailRowsOf(database);
      return rows.every((row) => !row.claimed);
    }, 'the mails released between two tries');
    for (const row of rows)
      expect(row).toMatchObject({ sent: false, parked: false, attempts: 0, claimed: false });
    expect(relays.counts.failed).toBe(0);

    await smtp.start();
    await smtp.waitFor(2);
    await pause(200);
    expect(smtp.received).toHaveLength(2);
    expect((await mailRowsOf(database)).every((row) => row.sent && row.attempts === 1)).toBe(true);
  });

  it('when the server refuses a mail every time, then it is parked after the budget, shown, and a retry sends it', async () => {
    const { database } = platform;
    smtp.refuse = true;
    relays.make(database, smtpTransport(smtp.url)).start();
    await recordIn(database, resetMail('ana@shop.example'));
    await eventually(async () => (await mailRowsOf(database))[0]?.parked === true, 'the mail parked');
    const [row] = await mailRowsOf(database);
    expect(row).toMatchObject({ attempts: 3, sent: false, claimed: false });
    expect(row!.last_error).toMatch(/550/);
    expect(relays.counts).toEqual({ sent: 0, failed: 3, parked: 1 });
    expect(await mailStatus(database.db)).toMatchObject({ pending: 0, parked: 1, sent: 0 });

    smtp.refuse = false;
    expect(await retryParkedMails(database.db, { ids: [row!.id] })).toBe(1);
    await smtp.waitFor(1);
    await eventually(
      async () => (await mailRowsOf(database))[0]?.sent === true,
      'the retried mail marked sent',
    );
    expect(await mailStatus(database.db)).toMatchObject({ pending: 0, parked: 0, sent: 1 });
  });

  it('when the process dies between the commit and the send, then the next relay sends the mail once', async () => {
    const { database } = platform;
    const dead = relays.make(database, smtpTransport(smtp.url));
    dead.start();
    relays.kill(dead);
    await recordIn(database, resetMail('ana@shop.example'));
    await pause(100);
    expect(smtp.received).toHaveLength(0);

    relays.make(database, smtpTransport(smtp.url)).start();
    await smtp.waitFor(1);
    await pause(300);
    expect(smtp.received).toHaveLength(1);
    expect((await mailRowsOf(database))[0]).toMatchObject({ sent: true, attempts: 1 });
  });

  it('when the process dies after claiming a mail, before the server answered, then the next relay sends it once the claim expires', async () => {
    const { database } = platform;
    const dead = relays.make(database, hangingTransport(), { leaseMs: 400 });
    dead.start();
    await recordIn(database, resetMail('ana@shop.example'));
    await eventually(async () => (await mailRowsOf(database))[0]?.claimed === true, 'the claim');
    relays.kill(dead);

    relays.make(database, smtpTransport(smtp.url), { leaseMs: 400 }).start();
    await pause(200);
    expect(smtp.received).toHaveLength(0);
    await smtp.waitFor(1);
    await pause(600);
    expect(smtp.received).toHaveLength(1);
    expect((await mailRowsOf(database))[0]).toMatchObject({ sent: true, claimed: false });
  });

  it('when the process dies after the server took a mail, before writing it down, then a second copy carries the same Message-ID', async () => {
    const { database } = platform;
    const dead = relays.make(database, acceptThenHang(smtpTransport(smtp.url)), { leaseMs: 300 });
    dead.start();
    await recordIn(database, resetMail('ana@shop.example'));
    await smtp.waitFor(1);
    relays.kill(dead);

    relays.make(database, smtpTransport(smtp.url), { leaseMs: 300 }).start();
    const [first, second] = await smtp.waitFor(2);
    const [row] = await mailRowsOf(database);
    await eventually(async () => (await mailRowsOf(database))[0]?.sent === true, 'the mark');
    expect(second!.messageId).toBe(first!.messageId);
    expect(first!.messageId).toBe(
      messageIdOf({ id: row!.id, createdAt: await createdAt(row!.id) }, 'x@shop.example'),
    );
  });

  it('when writing down a sent mail fails for a moment, then it is written at the next pass and not sent again', async () => {
    const { database } = platform;
    let failures = 1;
    const rows = {
      ...mailRows,
      sent: async (...args: Parameters<typeof mailRows.sent>) => {
        if (failures-- > 0) throw Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
        return mailRows.sent(...args);
      },
    };
    relays.make(database, smtpTransport(smtp.url), { rows }).start();
    await recordIn(database, resetMail('ana@shop.example'));
    await smtp.waitFor(1);
    await eventually(async () => (await mailRowsOf(database))[0]?.sent === true, 'the late mark');
    await pause(200);
    expect(smtp.received).toHaveLength(1);
  });

  it('when the database fails to answer a claim, then the relay tries again later and no attempt is used', async () => {
    const { database } = platform;
    let failures = 2;
    const rows = {
      ...mailRows,
      claim: async (...args: Parameters<typeof mailRows.claim>) => {
        if (failures-- > 0) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        return mailRows.claim(...args);
      },
    };
    await recordIn(database, resetMail('ana@shop.example'));
    relays.make(database, smtpTransport(smtp.url), { rows }).start();
    await smtp.waitFor(1);
    await eventually(async () => (await mailRowsOf(database))[0]?.sent === true, 'the mark');
    expect(failures).toBeLessThan(0);
    expect((await mailRowsOf(database))[0]).toMatchObject({ attempts: 1, parked: false });
    expect(relays.counts).toEqual({ sent: 1, failed: 0, parked: 0 });
  });

  it('when the relay stops while a mail is being sent, then the send finishes and is written down', async () => {
    const { database } = platform;
    smtp.delayMs = 300;
    const relay = relays.make(database, smtpTransport(smtp.url));
    relay.start();
    await recordIn(database, resetMail('ana@shop.example'));
    await eventually(async () => (await mailRowsOf(database))[0]?.claimed === true, 'the claim');
    await relay.stop();
    expect(smtp.received).toHaveLength(1);
    expect((await mailRowsOf(database))[0]).toMatchObject({ sent: true, claimed: false });
  });

  it('when a mail is sent, then its data (a reset link) is no longer kept; sent mails past the retention are swept, others never', async () => {
    const { database } = platform;
    relays.make(database, smtpTransport(smtp.url)).start();
    await recordIn(database, resetMail('ana@shop.example'));
    await smtp.waitFor(1);
    await eventually(async () => (await mailRowsOf(database))[0]?.sent === true, 'the mark');
    const [kept] = await queryRows<{ data: object }>(database.db, sql`select data from platform.mail_outbox`);
    expect(kept!.data).toEqual({});
    await relays.stopAll();

    await recordIn(database, resetMail('pending@shop.example'), resetMail('parked@shop.example'));
    await database.db.execute(sql`update platform.mail_outbox set created_at = now() - interval '400 hours'`);
    await database.db.execute(
      sql`update platform.mail_outbox set sent_at = now() - interval '200 hours' where sent_at is not null`,
    );
    await database.db.execute(
      sql`update platform.mail_outbox set parked_at = now() - interval '300 hours' where recipient = 'parked@shop.example'`,
    );
    const retention = new MailRetention(database, {
      retentionHours: 168,
      intervalMs: 60_000,
      onSwept() {},
      onError() {},
    });
    expect(await retention.sweep()).toBe(1);
    const left = await queryRows<{ recipient: string }>(
      database.db,
      sql`select recipient from platform.mail_outbox order by recipient`,
    );
    expect(left.map((row) => row.recipient)).toEqual(['parked@shop.example', 'pending@shop.example']);
  });

  async function createdAt(id: number): Promise<Date> {
    const [row] = await queryRows<{ created_at: string }>(
      platform.database.db,
      sql`select created_at from platform.mail_outbox where id = ${id}`,
    );
    return new Date(row!.created_at);
  }
});
