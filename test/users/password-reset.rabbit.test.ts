import { describe, expect, it } from 'vitest';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { useAppOnRabbitMq } from '../rabbitmq/rabbit-app.js';
import { buildMailingUsersApp, confirmReset, mailFor, requestReset, tokenIn } from './account-mail.js';
import { login, PASSWORD, refresh, signUp } from './users-client.js';

/** The reset flow with the events on RabbitMQ (the other suite runs it on the in-memory bus). */
describe('users: password reset by mail, events on RabbitMQ', () => {
  const smtp = new SmtpCatcher();
  const on = useAppOnRabbitMq((services) => buildMailingUsersApp(smtp, services), smtp);

  it('when a user resets their password, then the link works once, old credentials fail, and the events still flow', async () => {
    const t = on.app;
    const user = await signUp(t, { locale: 'en-GB' });
    expect((await requestReset(t, user.email)).statusCode).toBe(202);
    const mail = await mailFor(smtp, user.email, 'reset-password');
    expect(mail.subject).toBe('Reset your Mascotas password');
    const token = tokenIn(mail, 'reset-password');
    expect((await confirmReset(t, token, 'purple elephants dance quietly')).statusCode).toBe(204);
    expect((await confirmReset(t, token, 'another quite long passphrase')).statusCode).toBe(400);
    expect((await login(t, { username: user.username, password: PASSWORD })).statusCode).toBe(401);
    expect((await refresh(t, user.refresh)).statusCode).toBe(401);
    const unknown = await requestReset(t, `nobody-${user.username}@example.com`);
    expect(unknown.statusCode).toBe(202);
    await t.settle();
    expect(
      smtp.received.filter((caught) => caught.to.includes(`nobody-${user.username}@example.com`)),
    ).toEqual([]);
  });
});
