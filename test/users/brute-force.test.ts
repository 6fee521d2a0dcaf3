import argon2 from 'argon2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { buildUsersApp, login, PASSWORD, signUp } from './users-client.js';

describe('users: login brute force', () => {
  let t: TestApp;
  let ip = 0;
  /** A fresh client address, so that only the limit under test can trip. */
  const nextIp = () => `10.20.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;

  beforeAll(async () => {
    t = await buildUsersApp({ config: { LOGIN_MAX_FAILURES: 5, LOGIN_WINDOW_SECONDS: 600 } });
  });
  afterAll(async () => t.close());
  afterEach(() => vi.restoreAllMocks());

  it('when a username failed 5 times, then the 6th login is a 429 with Retry-After, before any hashing', async () => {
    const session = await signUp(t);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await login(t, { username: session.username, password: `guess ${attempt}` }, nextIp());
      expect(wrong.statusCode).toBe(401);
    }
    const verify = vi.spyOn(argon2, 'verify');
    const hash = vi.spyOn(argon2, 'hash');
    const blocked = await login(
      t,
      { username: session.username.toUpperCase(), password: PASSWORD },
      nextIp(),
    );
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(blocked.json()).toMatchObject({ status: 429, code: 'USERS.TOO_MANY_ATTEMPTS' });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(verify).not.toHaveBeenCalled();
    expect(hash).not.toHaveBeenCalled();
    const byEmail = await login(t, { email: session.email, password: PASSWORD }, nextIp());
    expect(byEmail.statusCode).toBe(200);
  });

  it('when one address failed 5 times on different users, then its next login is a 429 and other addresses still log in', async () => {
    const session = await signUp(t);
    const attacker = nextIp();
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await login(t, { username: `nobody${attempt}_${ip}`, password: PASSWORD }, attacker);
      expect(wrong.statusCode).toBe(401);
    }
    const blocked = await login(t, { username: session.username, password: PASSWORD }, attacker);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBeDefined();
    expect((await login(t, { username: session.username, password: PASSWORD }, nextIp())).statusCode).toBe(
      200,
    );
  });

  it('when a login succeeds, then the failures of that username are forgotten', async () => {
    const session = await signUp(t);
    for (let attempt = 0; attempt < 4; attempt++) {
      await login(t, { username: session.username, password: 'wrong password' }, nextIp());
    }
    expect((await login(t, { username: session.username, password: PASSWORD }, nextIp())).statusCode).toBe(
      200,
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await login(t, { username: session.username, password: 'wrong password' }, nextIp());
      expect(wrong.statusCode).toBe(401);
    }
    expect((await login(t, { username: session.username, password: PASSWORD }, nextIp())).statusCode).toBe(
      429,
    );
  });

  it('when many wrong logins race in parallel, then no more than the limit are checked', async () => {
    const session = await signUp(t);
    const verify = vi.spyOn(argon2, 'verify');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        login(t, { username: session.username, password: 'wrong password' }, nextIp()),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(verify).toHaveBeenCalledTimes(5);
  });

  it('when a client is behind the proxy, then the limit is per forwarded address', async () => {
    const session = await signUp(t);
    const forwarded = nextIp();
    for (let attempt = 0; attempt < 5; attempt++) {
      await t.app.inject({
        method: 'POST',
        url: '/api/users/login',
        headers: { 'x-forwarded-for': forwarded },
        payload: { username: `nobody_fwd${attempt}`, password: PASSWORD },
      });
    }
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/api/users/login',
      headers: { 'x-forwarded-for': forwarded },
      payload: { username: session.username, password: PASSWORD },
    });
    expect(blocked.statusCode).toBe(429);
  });
});
