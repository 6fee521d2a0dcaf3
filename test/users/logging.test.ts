import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { ADMIN, buildUsersApp, logInAsAdmin, login, PASSWORD, refresh, signUp } from './users-client.js';

/**
 * Pino writes through `process.stdout.write` when that has been replaced, so this file captures
 * every log line of an app running at `trace` and looks for secrets in them.
 */
describe('users: logs', () => {
  let t: TestApp;
  const lines: string[] = [];
  const write = process.stdout.write;

  beforeAll(async () => {
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    t = await buildUsersApp({ config: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t.close();
    process.stdout.write = write;
  });

  it('when users register, log in, refresh, reuse tokens and change passwords, then no password or token is logged', async () => {
    const session = await signUp(t);
    const admin = await logInAsAdmin(t);
    const rotated = (await refresh(t, session.refresh)).json();
    await refresh(t, session.refresh);
    await login(t, { username: session.username, password: 'a wrong password' });
    await t.app.inject({
      method: 'POST',
      url: '/api/users/me/password',
      headers: session.headers,
      payload: { current_password: PASSWORD, new_password: 'the next password' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/api/users/logout',
      headers: admin.headers,
      payload: { refresh: admin.refresh },
    });
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('bootstrap admin created');
    const secrets = [
      PASSWORD,
      ADMIN.password,
      'a wrong password',
      'the next password',
      session.access,
      session.refresh,
      admin.access,
      admin.refresh,
      rotated.access,
      rotated.refresh,
      '$argon2id$',
    ];
    for (const secret of secrets) expect(log).not.toContain(secret);
  });
});
