import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import type { TestApp } from '../helpers/test-app.js';
import { eventually, pause } from '../mail/mail-harness.js';
import { buildMailingUsersApp, confirmReset, mailFor, requestReset, tokenIn } from './account-mail.js';
import { login, PASSWORD, refresh, signUp } from './users-client.js';

const NEW_PASSWORD = 'purple elephants dance quietly';

describe('users: password reset by mail (real SMTP server)', () => {
  const smtp = new SmtpCatcher();
  let t: TestApp;
  let address = 0;
  /** Each test asks from its own address, so the per-address budget is the rate-limit test's alone. */
  const nextAddress = () => `10.9.${++address}.1`;

  beforeAll(async () => {
    await smtp.start();
    t = await buildMailingUsersApp(smtp, {
      config: { ACCOUNT_MAIL_MAX_PER_ACCOUNT: 3, ACCOUNT_MAIL_MAX_PER_ADDRESS: 5 },
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  it('when a user asks for a reset, then the mailed link sets a new password, the old one and every old refresh token stop working', async () => {
    const first = await signUp(t, { locale: 'es' });
    const second = await login(t, { username: first.username, password: PASSWORD }, '10.8.0.2');
    const answer = await requestReset(t, first.email.toUpperCase(), nextAddress());
    expect(answer.statusCode).toBe(202);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).not.toMatch(/token/i);
    const mail = await mailFor(smtp, first.email, 'reset-password');
    expect(mail.subject).toBe('Restablece tu contraseña de Mascotas');
    const token = tokenIn(mail, 'reset-password');
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);

    const confirmed = await confirmReset(t, token, NEW_PASSWORD);
    expect(confirmed.statusCode).toBe(204);
    expect(confirmed.headers['cache-control']).toBe('no-store');
    expect((await login(t, { username: first.username, password: NEW_PASSWORD })).statusCode).toBe(200);
    expect((await login(t, { username: first.username, password: PASSWORD })).statusCode).toBe(401);
    expect((await refresh(t, first.refresh)).statusCode).toBe(401);
    expect((await refresh(t, second.json().refresh)).statusCode).toBe(401);
  });

  it('when the token is used a second time, then it is a 400 USERS.INVALID_RESET_TOKEN', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const token = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    expect((await confirmReset(t, token, NEW_PASSWORD)).statusCode).toBe(204);
    const again = await confirmReset(t, token, 'another quite long passphrase');
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('USERS.INVALID_RESET_TOKEN');
    expect((await login(t, { username: user.username, password: NEW_PASSWORD })).statusCode).toBe(200);
  });

  it('when two uses of one token race, then exactly one sets its password', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const token = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    const answers = await Promise.all([
      confirmReset(t, token, NEW_PASSWORD),
      confirmReset(t, token, 'another quite long passphrase'),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([204, 400]);
  });

  it('when the e-mail has no account, then the answer is the same and no mail is sent', async () => {
    const user = await signUp(t);
    const known = await requestReset(t, user.email, nextAddress());
    const unknown = await requestReset(t, `nobody-${user.username}@example.com`, nextAddress());
    expect(unknown.statusCode).toBe(known.statusCode);
    expect(unknown.body).toBe(known.body);
    expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
    await mailFor(smtp, user.email, 'reset-password');
    await pause(300);
    expect(smtp.received.filter((mail) => mail.to.includes(`nobody-${user.username}@example.com`))).toEqual(
      [],
    );
  });

  it('when the token has expired, then it is refused and the password stays', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const token = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    await queryRows(
      t.database.db,
      sql`update users.account_tokens set expires_at = now() - interval '1 second' where user_id = ${user.id}`,
    );
    const answer = await confirmReset(t, token, NEW_PASSWORD);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().code).toBe('USERS.INVALID_RESET_TOKEN');
    expect((await login(t, { username: user.username, password: PASSWORD })).statusCode).toBe(200);
  });

  it('when a newer reset is asked for, then the older link no longer works and the newer does', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const older = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    await requestReset(t, user.email, nextAddress());
    const newer = tokenIn(await mailFor(smtp, user.email, 'reset-password', 2), 'reset-password');
    expect((await confirmReset(t, older, NEW_PASSWORD)).json().code).toBe('USERS.INVALID_RESET_TOKEN');
    expect((await confirmReset(t, newer, NEW_PASSWORD)).statusCode).toBe(204);
  });

  it('when the new password is weak or the token is not one, then it is a 400 and the token still works', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const token = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    const weak = await confirmReset(t, token, 'password123');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('USERS.WEAK_PASSWORD');
    expect((await confirmReset(t, 'not a token!', NEW_PASSWORD)).statusCode).toBe(400);
    expect((await confirmReset(t, 'A'.repeat(43), NEW_PASSWORD)).json().code).toBe(
      'USERS.INVALID_RESET_TOKEN',
    );
    expect((await confirmReset(t, token, NEW_PASSWORD)).statusCode).toBe(204);
  });

  it('when one e-mail is asked for too often, then the next is a 429 with Retry-After, for an unknown e-mail too', async () => {
    const user = await signUp(t);
    for (const email of [user.email, `ghost-${user.username}@example.com`]) {
      for (let n = 0; n < 3; n++) expect((await requestReset(t, email, nextAddress())).statusCode).toBe(202);
      const over = await requestReset(t, email, nextAddress());
      expect(over.statusCode).toBe(429);
      expect(over.json().code).toBe('USERS.TOO_MANY_ATTEMPTS');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    }
    await eventually(
      () =>
        smtp.received.filter(
          (mail) => mail.to.includes(user.email) && mail.decoded.includes('/reset-password?'),
        ).length === 3,
      'three reset mails',
    );
  });

  it('when one address asks for many e-mails, then it is throttled past its budget', async () => {
    const from = nextAddress();
    const answers = [];
    for (let n = 0; n < 6; n++)
      answers.push((await requestReset(t, `many${n}-${from}@example.com`, from)).statusCode);
    expect(answers).toEqual([202, 202, 202, 202, 202, 429]);
  });

  it('when a reset mail has been sent, then the database keeps only the hash of its token and the mail row no data', async () => {
    const user = await signUp(t);
    await requestReset(t, user.email, nextAddress());
    const token = tokenIn(await mailFor(smtp, user.email, 'reset-password'), 'reset-password');
    await eventually(async () => {
      const [row] = await queryRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from platform.mail_outbox where recipient = ${user.email} and sent_at is null`,
      );
      return row?.n === 0;
    }, 'the mail marked sent');
    const mails = await queryRows<{ data: unknown }>(
      t.database.db,
      sql`select data from platform.mail_outbox where recipient = ${user.email} and template = 'password_reset'`,
    );
    expect(mails.map((row) => row.data)).toEqual([{}]);
    const tokens = await queryRows<{ token_hash: string }>(
      t.database.db,
      sql`select token_hash from users.account_tokens where user_id = ${user.id} and purpose = 'password_reset'`,
    );
    expect(tokens).toEqual([{ token_hash: createHash('sha256').update(token).digest('hex') }]);
  });
});
