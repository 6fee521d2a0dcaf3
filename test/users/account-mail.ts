import type { LightMyRequestResponse } from 'fastify';
import type { CaughtMail, SmtpCatcher } from '../helpers/smtp-catcher.js';
import type { TestApp, TestAppOptions } from '../helpers/test-app.js';
import { buildUsersApp } from './users-client.js';

export const PUBLIC_URL = 'https://shop.example';

/** The users module with its mails going to the test's real SMTP server, links at PUBLIC_URL. */
export function buildMailingUsersApp(smtp: SmtpCatcher, options: TestAppOptions = {}): Promise<TestApp> {
  return buildUsersApp({
    ...options,
    config: {
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Mascotas <no-reply@shop.example>',
      MAIL_POLL_MS: 20,
      PUBLIC_URL,
      ...options.config,
    },
  });
}

/** The token of the link to `page` in a received mail. */
export function tokenIn(mail: CaughtMail, page: 'reset-password' | 'verify-email'): string {
  const found = new RegExp(`https://shop\\.example/${page}\\?token=([A-Za-z0-9_-]+)`).exec(mail.decoded);
  if (!found) throw new Error(`no ${page} link in the mail "${mail.subject}"`);
  return found[1]!;
}

/** Waits for a mail to `to` whose link goes to `page`, and answers it. */
export async function mailFor(
  smtp: SmtpCatcher,
  to: string,
  page: 'reset-password' | 'verify-email',
  nth = 1,
  ms = 10_000,
): Promise<CaughtMail> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = smtp.received.filter(
      (mail) => mail.to.includes(to) && mail.decoded.includes(`/${page}?token=`),
    );
    if (found.length >= nth) return found[nth - 1]!;
    if (Date.now() > deadline) throw new Error(`no ${page} mail #${nth} to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function requestReset(
  t: TestApp,
  email: string,
  remoteAddress = '10.9.0.1',
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/users/password/reset',
    payload: { email },
    remoteAddress,
  });
}

export function confirmReset(
  t: TestApp,
  token: string,
  newPassword: string,
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/users/password/reset/confirm',
    payload: { token, new_password: newPassword },
  });
}
