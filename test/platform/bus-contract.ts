import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvelope, type EventEnvelope } from '../../src/platform/events/envelope.js';
import type { Delivery, EventBus, RetryPolicy } from '../../src/platform/events/event-bus.js';

export interface BusUnderTest {
  bus: EventBus;
  /** event_ids parked for `queue`, whatever the implementation keeps them in. */
  deadLetters(queue: string): Promise<string[]>;
  cleanup(): Promise<void>;
}

export type BusFactory = (policy: RetryPolicy) => Promise<BusUnderTest>;

/** Waits until `condition` holds, failing after `timeoutMs`. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function message(routingKey: string, body: object = {}): EventEnvelope {
  return createEnvelope(routingKey, 1, body);
}

/**
 * What every EventBus must do, run unchanged against each implementation. Names are unique per
 * test so that a broker shared between tests holds nothing over.
 */
export function busContractSuite(name: string, factory: BusFactory): void {
  describe(`${name} bus contract`, () => {
    let current: BusUnderTest | undefined;
    const open = async (policy: Partial<RetryPolicy> = {}) => {
      current = await factory({ maxAttempts: 3, retryDelayMs: 10, prefetch: 10, ...policy });
      await current.bus.start();
      return current;
    };
    const unique = (base: string) => `${base}_${randomUUID().slice(0, 8)}`;
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    it('when patterns use * and #, then each queue receives exactly the routing keys they match', async () => {
      const { bus } = await open();
      const exchange = unique('things_events');
      const star = unique('star');
      const hash = unique('hash');
      const multi = unique('multi');
      await bus.declare(
        [exchange],
        [
          { queue: star, exchange, patterns: ['thing.*'] },
          { queue: hash, exchange, patterns: ['thing.#'] },
          { queue: multi, exchange, patterns: ['thing.created', 'stock.*.done'] },
        ],
      );
      const got: Record<string, string[]> = { [star]: [], [hash]: [], [multi]: [] };
      for (const queue of [star, hash, multi]) {
        await bus.subscribe(queue, async (delivery) => {
          got[queue]!.push(delivery.routingKey);
        });
      }
      for (const key of [
        'thing.created',
        'thing',
        'thing.a.b',
        'stock.x.done',
        'stock.x.y.done',
        'other.created',
      ]) {
        await bus.publish(exchange, key, message(key));
      }
      await eventually(() => got[hash]!.length === 3 && got[star]!.length === 1 && got[multi]!.length === 2);
      await pause(200);
      expect(got[star]).toEqual(['thing.created']);
      expect(got[hash]!.sort()).toEqual(['thing', 'thing.a.b', 'thing.created']);
      expect(got[multi]!.sort()).toEqual(['stock.x.done', 'thing.created']);
    });

    it('when one queue has two consumers, then each message goes to exactly one of them', async () => {
      const { bus } = await open({ prefetch: 1 });
      const exchange = unique('work_events');
      const queue = unique('workers');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const seen = { a: [] as string[], b: [] as string[] };
      const slow = (who: 'a' | 'b') => async (delivery: Delivery) => {
        await pause(5);
        seen[who].push(delivery.message.event_id);
      };
      await bus.subscribe(queue, slow('a'));
      await bus.subscribe(queue, slow('b'));
      const ids: string[] = [];
      for (let i = 0; i < 40; i++) {
        const event = message('job.created', { i });
        ids.push(event.event_id);
        await bus.publish(exchange, 'job.created', event);
      }
      await eventually(() => seen.a.length + seen.b.length === 40);
      await pause(200);
      expect([...seen.a, ...seen.b].sort()).toEqual([...ids].sort());
      expect(seen.a.length).toBeGreaterThan(0);
      expect(seen.b.length).toBeGreaterThan(0);
    });

    it('when two queues are bound to a key, then each receives its own copy', async () => {
      const { bus } = await open();
      const exchange = unique('fan_events');
      const [first, second] = [unique('first'), unique('second')];
      await bus.declare(
        [exchange],
        [
          { queue: first, exchange, patterns: ['fan.*'] },
          { queue: second, exchange, patterns: ['fan.out'] },
        ],
      );
      const got: string[] = [];
      await bus.subscribe(first, async (delivery) => void got.push(`first:${delivery.message.n}`));
      await bus.subscribe(second, async (delivery) => void got.push(`second:${delivery.message.n}`));
      await bus.publish(exchange, 'fan.out', message('fan.out', { n: 1 }));
      await eventually(() => got.length === 2);
      expect(got.sort()).toEqual(['first:1', 'second:1']);
    });

    it('when a queue is declared before its consumer starts, then nothing published meanwhile is lost', async () => {
      const { bus } = await open();
      const exchange = unique('late_events');
      const queue = unique('late');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const publishing = Promise.all(
        [1, 2, 3].map((n) => bus.publish(exchange, 'late.created', message('late.created', { n }))),
      );
      const got: unknown[] = [];
      await pause(50);
      await bus.subscribe(queue, async (delivery) => void got.push(delivery.message.n));
      await publishing;
      await eventually(() => got.length === 3);
      expect(got.sort()).toEqual([1, 2, 3]);
    });

    it('when one publisher sends in sequence, then a single consumer receives in that order', async () => {
      const { bus } = await open({ prefetch: 1 });
      const exchange = unique('ordered_events');
      const queue = unique('ordered');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const got: number[] = [];
      await bus.subscribe(queue, async (delivery) => void got.push(delivery.message.n as number));
      const sent = Array.from({ length: 100 }, (_, n) => n);
      await Promise.all(sent.map((n) => bus.publish(exchange, 'seq.next', message('seq.next', { n }))));
      await eventually(() => got.length === 100);
      expect(got).toEqual(sent);
    });

    it('when a handler keeps failing, then it is retried, dead-lettered, and later messages still flow', async () => {
      const { bus, deadLetters } = await open({ maxAttempts: 3, retryDelayMs: 10 });
      const exchange = unique('poison_events');
      const queue = unique('poisoned');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const poison = message('item.created', { poison: true });
      let poisonTries = 0;
      const handled: number[] = [];
      await bus.subscribe(queue, async (delivery) => {
        if (delivery.message.poison) {
          poisonTries++;
          throw new Error('cannot handle this one');
        }
        handled.push(delivery.message.n as number);
      });
      void bus.publish(exchange, 'item.created', poison).catch(() => {});
      for (let n = 0; n < 5; n++) await bus.publish(exchange, 'item.created', message('item.created', { n }));
      await eventually(() => handled.length === 5);
      await eventually(async () => (await deadLetters(queue)).includes(poison.event_id));
      expect(poisonTries).toBe(3);
      expect(handled).toEqual([0, 1, 2, 3, 4]);
      await pause(200);
      expect(poisonTries).toBe(3);
    });

    it('when a handler fails with transient database errors more often than the attempts allow, then it is retried without using them up and never dead-lettered', async () => {
      const { bus, deadLetters } = await open({ maxAttempts: 2, retryDelayMs: 10 });
      const exchange = unique('flaky_db_events');
      const queue = unique('flaky_db');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const transient = [
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }),
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        Object.assign(new Error('failed query'), {
          cause: Object.assign(new Error('deadlock detected'), { code: '40P01' }),
        }),
        Object.assign(new Error('could not serialize access'), { code: '40001' }),
      ];
      const attempts: number[] = [];
      await bus.subscribe(queue, async (delivery) => {
        attempts.push(delivery.attempt);
        const failure = transient[attempts.length - 1];
        if (failure) throw failure;
      });
      const event = message('item.created');
      void bus.publish(exchange, 'item.created', event).catch(() => {});
      await eventually(() => attempts.length === transient.length + 1, 20_000);
      expect(attempts).toEqual(transient.map(() => 1).concat(1));
      await pause(200);
      expect(attempts).toHaveLength(transient.length + 1);
      expect(await deadLetters(queue)).toEqual([]);
    }, 30_000);

    it('when the bus is paused, then nothing is delivered until it resumes, and nothing is lost', async () => {
      const { bus } = await open();
      const exchange = unique('paused_events');
      const queue = unique('paused');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      const got: number[] = [];
      await bus.subscribe(queue, async (delivery) => void got.push(delivery.message.n as number));
      await bus.publish(exchange, 'item.created', message('item.created', { n: 0 }));
      await eventually(() => got.length === 1);
      await bus.pause();
      await bus.pause();
      const publishing = Promise.all(
        [1, 2, 3].map((n) => bus.publish(exchange, 'item.created', message('item.created', { n }))),
      );
      // The in-memory bus resolves a publish once it is handled: not while paused.
      await Promise.race([publishing, pause(500)]);
      expect(got).toEqual([0]);
      await bus.resume();
      await bus.resume();
      await publishing;
      await eventually(() => got.length === 4);
      expect(got.sort()).toEqual([0, 1, 2, 3]);
    });

    it('when the bus closes, then handlers in flight finish first', async () => {
      const { bus } = await open();
      const exchange = unique('drain_events');
      const queue = unique('drain');
      await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
      let finished = 0;
      let started = 0;
      await bus.subscribe(queue, async () => {
        started++;
        await pause(150);
        finished++;
      });
      void bus.publish(exchange, 'slow.job', message('slow.job')).catch(() => {});
      await eventually(() => started === 1);
      await bus.close();
      expect(finished).toBe(1);
    });
  });
}
