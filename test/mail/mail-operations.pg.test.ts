import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordMail } from '../../src/platform/mail/mail-outbox.js';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { adminEvents } from '../operations/admin-events-client.js';
import { runEventsInProcess } from '../operations/events-cli-run.js';
import { eventually, mailRowsOf, resetMail } from './mail-harness.js';

/** The whole app's mailer, as an operator meets it: the status, the CLI, the admin API and /metrics. */
describe('the mailer in the running app', () => {
  const smtp = new SmtpCatcher();
  let t: TestApp;
  const cli = (...args: string[]) => runEventsInProcess(args, { env: { DATABASE_URL: t.testDatabase.url } });

  beforeAll(async () => {
    await smtp.start();
    t = await buildTestApp({
      config: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Mascotas <no-reply@shop.example>',
        MAIL_MAX_ATTEMPTS: 2,
        MAIL_RETRY_DELAY_MS: 10,
        MAIL_RETRY_MAX_DELAY_MS: 50,
        MAIL_POLL_MS: 20,
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });
  beforeEach(() => {
    smtp.refuse = false;
  });

  it('when a mail is refused until parked, then status, list, metrics and the admin API show it, and a retry sends it once', async () => {
    smtp.refuse = true;
    await t.database.transaction((tx) => recordMail(tx, resetMail('ana@shop.example')));
    await eventually(async () => (await mailRowsOf(t.database))[0]?.parked === true, 'the mail parked');
    const [row] = await mailRowsOf(t.database);

    const status = await cli('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^mail: 0 pending \(0 being sent\), oldest pending -, 0 sent, 1 parked$/m);
    const json = JSON.parse((await cli('status', '--json')).stdout);
    expect(json.mail).toEqual({
      pending: 0,
      sending: 0,
      sent: 0,
      parked: 1,
      oldest_pending_age_seconds: null,
    });

    const listed = await cli('mail', 'list');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TO\s+TEMPLATE\s+LOCALE\s+TRIES\s+LAST ERROR\s+PARKED AT$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${row!.id}\\s+ana@shop\\.example\\s+password_reset\\s+es\\s+2\\s+.*550`),
    );
    expect(listed.stdout).not.toContain('token=');

    const admin = adminEvents(t, await t.bearer({ id: 1, isStaff: true }));
    expect((await admin.status()).mail).toMatchObject({ parked: 1, pending: 0 });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^mail_parked_total\{template="password_reset"\} 1$/m);
    expect(metrics).toMatch(/^mail_failed_total\{template="password_reset"\} 2$/m);
    expect(metrics).toMatch(/^mail_outbox\{state="parked"\} 1$/m);

    smtp.refuse = false;
    const retried = await cli('mail', 'retry', String(row!.id));
    expect(retried).toMatchObject({ code: 0, stdout: 'retried: 1\n' });
    await smtp.waitFor(1);
    await eventually(async () => (await mailRowsOf(t.database))[0]?.sent === true, 'the mail sent');
    const again = await cli('mail', 'retry', String(row!.id));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not parked/);
    expect(smtp.received).toHaveLength(1);
    const after = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(after).toMatch(/^mail_sent_total\{template="password_reset"\} 1$/m);
  });

  it('when a mail command is wrong, then the CLI says how to use it (exit code 2)', async () => {
    for (const args of [
      ['mail', 'retry'],
      ['mail', 'retry', '1', '--all'],
      ['mail', 'retry', 'x'],
      ['mail', 'send'],
    ]) {
      const run = await cli(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error: /);
    }
    expect((await cli('mail', '--help')).stdout).toMatch(/mail retry --all/);
  });
});
