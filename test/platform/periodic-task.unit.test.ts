import { describe, expect, it } from 'vitest';
import { PeriodicTask } from '../../src/platform/periodic-task.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a periodic task', () => {
  it('when started, then it runs again and again, never two runs at once, and not before start', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const task = new PeriodicTask(async () => {
      running++;
      overlapped ||= running > 1;
      await pause(15);
      runs++;
      running--;
    }, 5);
    await pause(30);
    expect(runs).toBe(0);
    task.start();
    await pause(150);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(overlapped).toBe(false);
  });

  it('when stopped during a run, then stop waits for it, the run sees stopping, and nothing runs after', async () => {
    let sawStopping = false;
    let runs = 0;
    let release!: () => void;
    const task = new PeriodicTask(async () => {
      runs++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      sawStopping = task.stopping;
    }, 5);
    task.start();
    await pause(30);
    let stopped = false;
    const stopping = task.stop().then(() => {
      stopped = true;
    });
    await pause(10);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(sawStopping).toBe(true);
    const before = runs;
    await pause(40);
    expect(runs).toBe(before);
  });

  it('when a run fails, then the next one still comes', async () => {
    let runs = 0;
    const task = new PeriodicTask(async () => {
      runs++;
      throw new Error('boom');
    }, 5);
    task.start();
    await pause(60);
    await task.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('when a sweep drains, then batches run until one finds fewer than the limit, and stop after the batch under way once stopping', async () => {
    const task = new PeriodicTask(async () => {}, 1_000);
    const found = [3, 3, 2, 3];
    let batches = 0;
    expect(await task.drain(async () => found[batches++]!, 3)).toBe(8);
    expect(batches).toBe(3);

    task.start();
    let calls = 0;
    const stopped = task.drain(async () => {
      calls++;
      if (calls === 2) void task.stop();
      return 3;
    }, 3);
    expect(await stopped).toBe(6);
    expect(calls).toBe(2);
  });
});
