import argon2 from 'argon2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { sharedTestDatabase } from './shared-database.js';
import { buildUsersApp, login, PASSWORD, signUp, uniqueName } from './users-client.js';

const BUDGETS = { LOGIN_MAX_FAILURES: 5, LOGIN_MAX_FAILURES_PER_ADDRESS: 12, LOGIN_WINDOW_SECONDS: 600 };

let ip = 0;
/** A fresh client address, so that only the budget under test can trip. */
const nextIp = () => `10.20.${Math.floor(++ip / 250)}.${(ip % 250) + 1}`;

describe('users: login throttling (per account and address, per address)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildUsersApp({ config: BUDGETS });
  });
  afterAll(async () => t.close());
  afterEach(() => vi.restoreAllMocks());

  const fail = async (from: string, name: Record<string, string>) => {
    const answer = await login(t, { ...name, password: 'wrong password' }, from);
    expect(answer.statusCode).toBe(401);
  };

  it('when an account failed 5 times from one address, by any of its names, then the 6th is a 429 there, before any hashing', async () => {
    const session = await signUp(t);
    const address = nextIp();
    await fail(address, { username: session.username });
    await fail(address, { username: session.username.toUpperCase() });
    await fail(address, { email: session.email });
    await fail(address, { email: ` ${session.email.toUpperCase()}` });
    await fail(address, { username: session.email });
    const verify = vi.spyOn(argon2, 'verify');
    const hash = vi.spyOn(argon2, 'hash');
    const blocked = await login(t, { username: session.username, password: PASSWORD }, address);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(blocked.json()).toMatchObject({ status: 429, code: 'USERS.TOO_MANY_ATTEMPTS' });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(verify).not.toHaveBeenCalled();
    expect(hash).not.toHaveBeenCalled();
  });

  it('when an account is throttled for one address, then its owner logs in from another, and others log in from that address', async () => {
    const victim = await signUp(t);
    const colleague = await signUp(t);
    const office = nextIp();
    for (let attempt = 0; attempt < 5; attempt++) await fail(office, { username: victim.username });
    expect((await login(t, { username: victim.username, password: PASSWORD }, office)).statusCode).toBe(429);
    expect((await login(t, { email: victim.email, password: PASSWORD }, nextIp())).statusCode).toBe(200);
    expect((await login(t, { username: colleague.username, password: PASSWORD }, office)).statusCode).toBe(
      200,
    );
  });

  it('when one address fails on many accounts (credential stuffing), then past its own budget it is a 429 for every account there', async () => {
    const target = await signUp(t);
    const stuffer = nextIp();
    for (let attempt = 0; attempt < 12; attempt++) {
      const name = attempt % 2 === 0 ? uniqueName('nobody') : (await signUp(t)).username;
      const wrong = await login(t, { username: name, password: 'leaked password 1' }, stuffer);
      expect(wrong.statusCode, `attempt ${attempt + 1}`).toBe(401);
    }
    const blocked = await login(t, { username: target.username, password: PASSWORD }, stuffer);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await login(t, { username: target.username, password: PASSWORD }, nextIp())).statusCode).toBe(
      200,
    );
  });

  it('when a name resolves to nobody, then it is throttled exactly like an account (the 429 tells nothing)', async () => {
    const ghost = uniqueName('ghost');
    const address = nextIp();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await login(t, { username: ghost, password: PASSWORD }, address)).statusCode).toBe(401);
    }
    expect((await login(t, { username: ghost, password: PASSWORD }, address)).statusCode).toBe(429);
  });

  it('when a login succeeds, then the failures of that account from that address are forgotten', async () => {
    const session = await signUp(t);
    const address = nextIp();
    for (let attempt = 0; attempt < 4; attempt++) await fail(address, { username: session.username });
    expect((await login(t, { username: session.username, password: PASSWORD }, address)).statusCode).toBe(
      200,
    );
    for (let attempt = 0; attempt < 5; attempt++) await fail(address, { username: session.username });
    expect((await login(t, { username: session.username, password: PASSWORD }, address)).statusCode).toBe(
      429,
    );
  });

  it('when many wrong logins race in parallel, then no more than the budget are checked', async () => {
    const session = await signUp(t);
    const address = nextIp();
    const verify = vi.spyOn(argon2, 'verify');
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        login(t, { username: session.username, password: 'wrong password' }, address),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(7);
    expect(verify).toHaveBeenCalledTimes(5);
  });
});

describe('users: login throttling across two replicas on one database', () => {
  let shared: Awaited<ReturnType<typeof sharedTestDatabase>>;
  let first: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    shared = await sharedTestDatabase();
    first = await buildUsersApp({ testDatabase: shared, config: BUDGETS });
    second = await buildUsersApp({ testDatabase: shared, config: BUDGETS });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await shared?.drop();
  });

  it('when failures alternate between the replicas, then they add up: the 6th is a 429 on either', async () => {
    const session = await signUp(first);
    const address = nextIp();
    for (let attempt = 0; attempt < 5; attempt++) {
      const replica = attempt % 2 === 0 ? first : second;
      const wrong = await login(replica, { username: session.username, password: 'wrong password' }, address);
      expect(wrong.statusCode).toBe(401);
    }
    for (const replica of [first, second]) {
      const blocked = await login(replica, { username: session.username, password: PASSWORD }, address);
      expect(blocked.statusCode).toBe(429);
    }
  });

  it('when a login succeeds on one replica, then the other forgets the failures too', async () => {
    const session = await signUp(second);
    const address = nextIp();
    for (let attempt = 0; attempt < 4; attempt++) {
      await login(first, { username: session.username, password: 'wrong password' }, address);
    }
    expect(
      (await login(second, { username: session.username, password: PASSWORD }, address)).statusCode,
    ).toBe(200);
    for (let attempt = 0; attempt < 4; attempt++) {
      const wrong = await login(first, { username: session.username, password: 'wrong password' }, address);
      expect(wrong.statusCode).toBe(401);
    }
  });
});
