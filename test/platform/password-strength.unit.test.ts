import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  estimatorLoaded,
  judgePassword,
  judgePasswordNow,
  MIN_PASSWORD_GUESSES_LOG10,
  unloadEstimator,
} from '../../src/platform/password-strength.js';

describe('password strength estimator', () => {
  afterEach(() => {
    vi.useRealTimers();
    unloadEstimator();
  });

  it('when a password is judged, then the estimator stays loaded for a quiet minute, then is let go', async () => {
    unloadEstimator();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expect((await judgePassword('password123')).advice).toBeDefined();
    expect(estimatorLoaded()).toBe(true);
    vi.advanceTimersByTime(40_000);
    // Each use starts the minute again.
    expect((await judgePassword('kiwi marmalade tundra oboe')).advice).toBeUndefined();
    vi.advanceTimersByTime(59_000);
    expect(estimatorLoaded()).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(estimatorLoaded()).toBe(false);
  });

  it('when the estimator was let go, then the next check starts it again and judges the same', async () => {
    const before = await judgePassword('Dragon1234', ['boss@mascotas.test']);
    unloadEstimator();
    expect(estimatorLoaded()).toBe(false);
    const after = await judgePassword('Dragon1234', ['boss@mascotas.test']);
    expect(after).toEqual(before);
    expect(after.guessesLog10).toBeLessThan(MIN_PASSWORD_GUESSES_LOG10);
    expect(after.advice).toMatch(/^This password is too easy to guess\. /u);
  });

  it('when a synchronous caller asks, then it gets the same verdict as an awaited check', async () => {
    const awaited = await judgePassword('tr0ub4dor&3', ['kim@mascotas.test']);
    unloadEstimator();
    expect(judgePasswordNow('tr0ub4dor&3', ['kim@mascotas.test'])).toEqual(awaited);
    // And again with the thread already running.
    expect(judgePasswordNow('correct horse battery staple')).toEqual(
      await judgePassword('correct horse battery staple'),
    );
  });

  it('when the account’s own words are in the password, then they count as cheap guesses', async () => {
    const alone = await judgePassword('Fernandez1987');
    const known = await judgePassword('Fernandez1987', ['maria.fernandez@mail.test']);
    expect(known.guessesLog10).toBeLessThan(alone.guessesLog10);
  });

  it('when many checks are in flight at once, then each gets its own answer', async () => {
    const passwords = ['123456', 'kiwi marmalade tundra oboe', 'qwerty', 'violet-harbor-ninety-lamp'];
    const verdicts = await Promise.all(passwords.map((password) => judgePassword(password)));
    expect(verdicts.map((verdict) => verdict.advice === undefined)).toEqual([false, true, false, true]);
  });

  it('when the estimator is let go with a check under way, then that check fails and the next one starts it again', async () => {
    const pending = judgePassword('a check that never gets its answer');
    unloadEstimator();
    await expect(pending).rejects.toThrow('let go');
    expect(estimatorLoaded()).toBe(false);
    expect((await judgePassword('password1')).advice).toBeDefined();
    expect(estimatorLoaded()).toBe(true);
  });
});
