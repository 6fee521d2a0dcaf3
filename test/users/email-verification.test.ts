import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildMailingUsersApp, mailFor, tokenIn } from './account-mail.js';
import { ADMIN, logIn, signUp, uniqueName } from './users-client.js';

describe('users: e-mail verification by mail (real SMTP server)', () => {
  const smtp = new SmtpCatcher();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await buildMailingUsersApp(smtp, { config: { ACCOUNT_MAIL_MAX_PER_ACCOUNT: 2 } });
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  const me = async (headers: Record<string, string>) =>
    (await t.app.inject({ method: 'GET', url: '/api/users/me', headers })).json();
  const verify = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/users/email/verify', payload: { token } });
  const askAgain = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/api/users/me/email/verification', headers });

  it('when a user registers, then a verification mail arrives in their language and its link verifies the address once', async () => {
    const user = await signUp(t, { locale: 'es-AR', first_name: 'Lucía' });
    expect((await me(user.headers)).email_verified).toBe(false);
    const mail = await mailFor(smtp, user.email, 'verify-email');
    expect(mail.subject).toBe('Confirma tu dirección de correo');
    expect(mail.decoded).toContain('Lucía');
    const token = tokenIn(mail, 'verify-email');
    const verified = await verify(token);
    expect(verified.statusCode).toBe(204);
    expect(verified.headers['cache-control']).toBe('no-store');
    expect((await me(user.headers)).email_verified).toBe(true);
    const again = await verify(token);
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('USERS.INVALID_VERIFICATION_TOKEN');
  });

  it('when a user asks for a new link, then the older stops working and the newer verifies', async () => {
    const user = await signUp(t);
    const older = tokenIn(await mailFor(smtp, user.email, 'verify-email'), 'verify-email');
    const asked = await askAgain(user.headers);
    expect(asked.statusCode).toBe(202);
    expect(asked.body).not.toMatch(/token/i);
    const newer = tokenIn(await mailFor(smtp, user.email, 'verify-email', 2), 'verify-email');
    expect((await verify(older)).statusCode).toBe(400);
    expect((await verify(newer)).statusCode).toBe(204);
    const done = await askAgain(user.headers);
    expect(done.statusCode).toBe(409);
    expect(done.json().code).toBe('USERS.EMAIL_ALREADY_VERIFIED');
  });

  it('when the e-mail changes, then it is unverified again and a link to the old address no longer verifies', async () => {
    const user = await signUp(t);
    const toOld = tokenIn(await mailFor(smtp, user.email, 'verify-email'), 'verify-email');
    const email = `${uniqueName()}@example.com`;
    const patched = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      headers: user.headers,
      payload: { email },
    });
    expect(patched.json().email_verified).toBe(false);
    expect((await verify(toOld)).json().code).toBe('USERS.INVALID_VERIFICATION_TOKEN');
    expect((await askAgain(user.headers)).statusCode).toBe(202);
    const toNew = tokenIn(await mailFor(smtp, email, 'verify-email'), 'verify-email');
    expect((await verify(toNew)).statusCode).toBe(204);
    const same = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      headers: user.headers,
      payload: { email: email.toUpperCase() },
    });
    expect(same.json().email_verified).toBe(true);
  });

  it('when a user asks for links too often, then it is a 429 with Retry-After', async () => {
    const user = await signUp(t);
    expect((await askAgain(user.headers)).statusCode).toBe(202);
    expect((await askAgain(user.headers)).statusCode).toBe(202);
    const over = await askAgain(user.headers);
    expect(over.statusCode).toBe(429);
    expect(over.json().code).toBe('USERS.TOO_MANY_ATTEMPTS');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when the token is not one, or nobody is signed in, then it is a 400 or a 401', async () => {
    expect((await verify('A'.repeat(43))).json().code).toBe('USERS.INVALID_VERIFICATION_TOKEN');
    expect((await verify('not a token')).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/users/me/email/verification' })).statusCode).toBe(
      401,
    );
  });

  it('when the bootstrap admin signs in, then their configured address counts as verified', async () => {
    const admin = await logIn(t, { email: ADMIN.email, password: ADMIN.password });
    expect((await me(admin.headers)).email_verified).toBe(true);
  });
});
