import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  estimatorLoaded,
  judgePassword,
  MIN_PASSWORD_GUESSES_LOG10,
  unloadEstimator,
} from '../../src/platform/password-strength.js';

describe('password strength estimator', () => {
  afterEach(() => {
    vi.useRealTimers();
    unloadEstimator();
  });

  it('when a password is judged, then the estimator stays loaded for a quiet minute, then is let go', () => {
    unloadEstimator();
    vi.useFakeTimers();
    expect(judgePassword('password123').advice).toBeDefined();
    expect(estimatorLoaded()).toBe(true);
    vi.advanceTimersByTime(40_000);
    // Each use starts the minute again.
    expect(judgePassword('kiwi marmalade tundra oboe').advice).toBeUndefined();
    vi.advanceTimersByTime(59_000);
    expect(estimatorLoaded()).toBe(true);
    vi.advanceTimersByTime(1_000);
    expect(estimatorLoaded()).toBe(false);
  });

  it('when the estimator was let go, then the next check loads it again and judges the same', () => {
    const before = judgePassword('Dragon1234', ['boss@mascotas.test']);
    unloadEstimator();
    expect(estimatorLoaded()).toBe(false);
    const after = judgePassword('Dragon1234', ['boss@mascotas.test']);
    expect(after).toEqual(before);
    expect(after.guessesLog10).toBeLessThan(MIN_PASSWORD_GUESSES_LOG10);
  });
});
