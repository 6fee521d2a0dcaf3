import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/platform/backoff.js';
import { reconnectDelay } from '../../src/platform/db/postgres-clients.js';
import { retryDelay, transientRetryDelay } from '../../src/platform/events/event-bus.js';

const steady = { firstMs: 100, maxMs: 1_000 };
const never = () => 0;
const always = () => 0.999_999;

describe('the one backoff', () => {
  it('when failures add up, then the delay doubles from the first up to the ceiling and stays there', () => {
    const delays = [0, 1, 2, 3, 4, 5, 40, 10_000].map((failures) => backoffDelay(steady, failures));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000, 1_000]);
  });

  it('when the count is odd (negative, fractional, or the first delay is 0), then the delay is still a finite whole number', () => {
    expect(backoffDelay(steady, -3)).toBe(100);
    expect(backoffDelay(steady, 1.7)).toBe(200);
    expect(backoffDelay({ firstMs: 0, maxMs: 30_000 }, 5_000)).toBe(0);
    expect(backoffDelay({ firstMs: 3, maxMs: 1_000 }, 1, () => 0.5)).toBe(6);
    expect(backoffDelay({ firstMs: 3, maxMs: 1_000, jitter: 0.5 }, 0, () => 0.5)).toBe(2);
  });

  it('when jittered, then the delay lies between (1 - jitter) of the ceiling and the ceiling, never above', () => {
    const jittered = { ...steady, jitter: 0.25 };
    expect(backoffDelay(jittered, 2, never)).toBe(400);
    expect(backoffDelay(jittered, 2, always)).toBe(300);
    expect(backoffDelay(jittered, 9, always)).toBe(750);
    const seen = Array.from({ length: 500 }, () => backoffDelay(jittered, 9));
    expect(Math.min(...seen)).toBeGreaterThanOrEqual(750);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1_000);
    expect(new Set(seen).size).toBeGreaterThan(10);
  });

  it('when the jitter is out of range, then it is held to 0..1', () => {
    expect(backoffDelay({ ...steady, jitter: 3 }, 0, always)).toBe(0);
    expect(backoffDelay({ ...steady, jitter: -1 }, 0, always)).toBe(100);
  });

  it('when the platform schedules its retries, then each schedule is this backoff with its own bounds', () => {
    const policy = { maxAttempts: 5, retryDelayMs: 200, prefetch: 1 };
    expect([1, 2, 3, 8, 20].map((attempt) => retryDelay(policy, attempt))).toEqual([
      200, 400, 800, 25_600, 30_000,
    ]);
    for (let retries = 0; retries < 12; retries++) {
      const delay = transientRetryDelay(policy, retries);
      const ceiling = Math.min(200 * 2 ** retries, 5_000);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * 0.75));
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
    expect(transientRetryDelay({ ...policy, retryDelayMs: 0 }, 0)).toBeGreaterThanOrEqual(75);
    for (let failures = 0; failures < 8; failures++) {
      const seconds = reconnectDelay(failures);
      expect(seconds).toBeGreaterThanOrEqual(Math.min(0.05 * 2 ** failures, 1) / 2 - 0.001);
      expect(seconds).toBeLessThanOrEqual(1);
    }
  });

  it('when the platform is searched, then no file but backoff.ts doubles a delay of its own', () => {
    const platform = fileURLToPath(new URL('../../src/platform/', import.meta.url));
    const doubling = /\b2\s*\*\*|Math\.pow\(\s*2\b/;
    const offenders = readdirSync(platform, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !file.endsWith('/backoff.ts') && doubling.test(readFileSync(file, 'utf8')))
      .map((file) => relative(platform, file));
    expect(offenders).toEqual([]);
  });
});
