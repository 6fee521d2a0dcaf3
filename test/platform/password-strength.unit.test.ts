import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EstimatorUnavailableError,
  estimatorLoaded,
  estimatorProcessId,
  judgePassword,
  judgePasswordNow,
  MIN_PASSWORD_GUESSES_LOG10,
  unloadEstimator,
} from '../../src/platform/password-strength.js';

/** Whether the process runs (neither gone nor a zombie). */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

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

  it('when a password is judged, then the dictionaries live in a process of their own, with none of the server’s environment', async () => {
    await judgePassword('password123');
    const pid = estimatorProcessId();
    expect(pid).toBeTypeOf('number');
    expect(pid).not.toBe(process.pid);
    // Only what fork adds for the channel itself.
    const names = readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(0, entry.indexOf('=')));
    expect(names.sort()).toEqual(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']);
  });

  it('when the estimator’s process dies with a check under way, then that check fails with the cause and the next one starts it again', async () => {
    await judgePassword('password1');
    const pid = estimatorProcessId() as number;
    const pending = judgePassword('kiwi marmalade tundra oboe');
    process.kill(pid, 'SIGKILL');
    await expect(pending).rejects.toThrow(/stopped \(signal SIGKILL\)/u);
    expect(estimatorLoaded()).toBe(false);
    expect((await judgePassword('kiwi marmalade tundra oboe')).advice).toBeUndefined();
    expect(estimatorProcessId()).not.toBe(pid);
  });

  it('when the estimator’s process is killed just before a check is sent, then the check fails as unavailable', async () => {
    await judgePassword('password1');
    process.kill(estimatorProcessId() as number, 'SIGKILL');
    await expect(judgePassword('kiwi marmalade tundra oboe')).rejects.toBeInstanceOf(
      EstimatorUnavailableError,
    );
    expect((await judgePassword('kiwi marmalade tundra oboe')).advice).toBeUndefined();
  });

  it('when the estimator’s process answers nothing for 30 s, then the check fails and the next one starts a fresh process', async () => {
    await judgePassword('password1');
    const pid = estimatorProcessId() as number;
    process.kill(pid, 'SIGSTOP');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const wedged = judgePassword('kiwi marmalade tundra oboe');
    vi.advanceTimersByTime(30_000);
    await expect(wedged).rejects.toThrow('did not answer in time');
    expect(estimatorLoaded()).toBe(false);
    vi.useRealTimers();
    expect((await judgePassword('kiwi marmalade tundra oboe')).advice).toBeUndefined();
    expect(estimatorProcessId()).not.toBe(pid);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 5_000, interval: 50 });
  });

  it('when the server exits with the estimator loaded, then the estimator ends too', async () => {
    // A server that judges one password and ends without letting the estimator go.
    const script = [
      "const m = await import('./src/platform/password-strength.ts');",
      "await m.judgePassword('password1');",
      'console.log(m.estimatorProcessId());',
    ].join(' ');
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]);
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 10_000, interval: 50 });
  });
});
