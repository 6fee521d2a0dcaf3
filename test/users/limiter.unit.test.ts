import { describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../src/modules/users/users.limiter.js';

function limiterAt(options: { maxAttempts?: number; windowSeconds?: number; maxKeys?: number } = {}) {
  const clock = { now: 1_000_000 };
  const limiter = new AttemptLimiter({
    maxAttempts: options.maxAttempts ?? 3,
    windowSeconds: options.windowSeconds ?? 60,
    ...(options.maxKeys ? { maxKeys: options.maxKeys } : {}),
    now: () => clock.now,
  });
  return { limiter, clock };
}

describe('users: the attempt limiter', () => {
  it('when a key reached its limit, then it waits until its window ends and then starts afresh', () => {
    const { limiter, clock } = limiterAt();
    for (let attempt = 0; attempt < 3; attempt++) expect(limiter.acquire(['a'])).toBe(0);
    expect(limiter.acquire(['a'])).toBe(60);
    clock.now += 59_500;
    expect(limiter.acquire(['a'])).toBe(1);
    clock.now += 500;
    expect(limiter.acquire(['a'])).toBe(0);
  });

  it('when one of several keys is blocked, then the attempt counts on none of them', () => {
    const { limiter } = limiterAt({ maxAttempts: 1 });
    limiter.acquire(['user']);
    expect(limiter.acquire(['user', 'ip'])).toBeGreaterThan(0);
    expect(limiter.acquire(['ip'])).toBe(0);
  });

  it('when an attempt is released or a key reset, then it no longer counts', () => {
    const { limiter } = limiterAt({ maxAttempts: 2 });
    limiter.acquire(['a', 'b']);
    limiter.acquire(['a', 'b']);
    limiter.release('b');
    limiter.reset('a');
    expect(limiter.acquire(['a', 'b'])).toBe(0);
    expect(limiter.acquire(['b'])).toBeGreaterThan(0);
  });

  it('when more keys than the bound are seen, then the oldest are forgotten and memory stays bounded', () => {
    const { limiter, clock } = limiterAt({ maxAttempts: 1, maxKeys: 3 });
    for (const key of ['k1', 'k2', 'k3', 'k4']) {
      limiter.acquire([key]);
      clock.now += 1000;
    }
    expect(limiter.acquire(['k1'])).toBe(0);
    expect(limiter.acquire(['k4'])).toBeGreaterThan(0);
  });
});
