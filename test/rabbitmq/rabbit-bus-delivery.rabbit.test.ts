import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope, type EventEnvelope } from '../../src/platform/events/envelope.js';
import type { Delivery, RetryPolicy } from '../../src/platform/events/event-bus.js';
import { BrokerUnavailableError, RabbitEventBus } from '../../src/platform/events/rabbitmq-bus.js';
import { eventually } from '../platform/bus-contract.js';
import { broker, createVhost, pause, peekQueue, silentLogger, type TestVhost } from './rabbit-broker.js';

const message = (routingKey: string, body: object = {}): EventEnvelope => createEnvelope(routingKey, 1, body);
const unique = (base: string) => `${base}_${randomUUID().slice(0, 8)}`;

describe('the RabbitMQ bus: retries, dead letters, returns and reconnects', () => {
  let vhost: TestVhost;
  const buses: RabbitEventBus[] = [];
  beforeAll(async () => {
    vhost = await createVhost();
  });
  afterEach(async () => {
    for (const bus of buses.splice(0)) await bus.close();
  });
  afterAll(async () => vhost?.drop());

  const open = async (policy: Partial<RetryPolicy> = {}, url = vhost.url) => {
    const bus = new RabbitEventBus({
      url,
      maxAttempts: 3,
      retryDelayMs: 10,
      prefetch: 10,
      ...policy,
      logger: silentLogger,
    });
    buses.push(bus);
    await bus.start();
    return bus;
  };
  const topology = async (bus: RabbitEventBus, patterns = ['#']) => {
    const exchange = unique('test_events');
    const queue = unique('consumer');
    await bus.declare([exchange], [{ queue, exchange, patterns }]);
    return { exchange, queue };
  };

  it('when a handler keeps failing, then each try has the next attempt number, tries are spaced by the backoff, and the dead letter says why', async () => {
    const bus = await open({ maxAttempts: 4, retryDelayMs: 100 });
    const { exchange, queue } = await topology(bus);
    const tries: { attempt: number; at: number }[] = [];
    await bus.subscribe(queue, async (delivery) => {
      tries.push({ attempt: delivery.attempt, at: Date.now() });
      throw new Error('the read model is broken');
    });
    const poison = message('thing.created', { n: 1 });
    await bus.publish(exchange, 'thing.created', poison);
    await eventually(async () => (await peekQueue(vhost.url, `${queue}.dlq`)).length === 1);

    expect(tries.map((entry) => entry.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = tries.slice(1).map((entry, index) => entry.at - tries[index]!.at);
    expect(gaps.map((gap, index) => gap >= [100, 200, 400][index]! * 0.9)).toEqual([true, true, true]);
    const [parked] = await peekQueue(vhost.url, `${queue}.dlq`);
    expect(parked!.properties.messageId).toBe(poison.event_id);
    expect(JSON.parse(parked!.content.toString())).toEqual(poison);
    expect(parked!.properties.headers).toMatchObject({
      'x-queue': queue,
      'x-exchange': exchange,
      'x-routing-key': 'thing.created',
      'x-error': 'the read model is broken',
      'x-attempts': 4,
    });
  });

  it('when a poison message is first in line with a prefetch of one, then the messages behind it are handled before it is parked', async () => {
    // The retry waits long enough for the twenty to be published and handled on a slow machine
    // (published one after another with confirms, they took longer than a 300 ms retry there).
    const bus = await open({ maxAttempts: 3, retryDelayMs: 1000, prefetch: 1 });
    const { exchange, queue } = await topology(bus);
    const log: string[] = [];
    await bus.subscribe(queue, async (delivery) => {
      if (delivery.message.poison) {
        log.push(`poison try ${delivery.attempt}`);
        throw new Error('poison');
      }
      log.push(`good ${delivery.message.n}`);
    });
    const poison = message('thing.created', { poison: true });
    await bus.publish(exchange, 'thing.created', poison);
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        bus.publish(exchange, 'thing.created', message('thing.created', { n })),
      ),
    );
    await eventually(async () => (await peekQueue(vhost.url, `${queue}.dlq`)).length === 1);

    expect(log.filter((entry) => entry.startsWith('good'))).toHaveLength(20);
    expect(log.filter((entry) => entry.startsWith('poison'))).toEqual([
      'poison try 1',
      'poison try 2',
      'poison try 3',
    ]);
    expect(log.indexOf('good 19')).toBeLessThan(log.indexOf('poison try 2'));
  });

  it('when a message is not an event envelope, then it is parked at once without calling the handler', async () => {
    const bus = await open();
    const { exchange, queue } = await topology(bus);
    let calls = 0;
    await bus.subscribe(queue, async () => {
      calls++;
    });
    const connection = await connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, 'thing.created', Buffer.from('not json'), { messageId: 'garbage' });
    await channel.waitForConfirms();
    await connection.close();
    await eventually(async () => (await peekQueue(vhost.url, `${queue}.dlq`)).length === 1);
    const [parked] = await peekQueue(vhost.url, `${queue}.dlq`);
    expect(parked!.properties.messageId).toBe('garbage');
    expect(String(parked!.properties.headers?.['x-error'])).toContain('JSON');
    expect(calls).toBe(0);
  });

  it('when the connection is closed under a handler, then the bus reconnects, resumes, and the redelivery is attempt 2', async () => {
    const bus = await open();
    const { exchange, queue } = await topology(bus);
    const attempts: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await bus.subscribe(queue, async (delivery: Delivery) => {
      attempts.push(delivery.attempt);
      if (delivery.attempt === 1) await held;
    });
    await bus.publish(exchange, 'thing.created', message('thing.created'));
    await eventually(() => attempts.length === 1);

    await broker.closeConnections(vhost.name);
    await eventually(() => !bus.isHealthy(), 5_000);
    await eventually(() => bus.isHealthy(), 10_000);
    await eventually(() => attempts.length === 2, 10_000);
    release();
    await pause(200);
    expect(attempts).toEqual([1, 2]);
    const later = message('thing.created');
    await bus.publish(exchange, 'thing.created', later);
    await eventually(() => attempts.length === 3);
  });

  it('when the broker is unreachable, then start resolves, the bus is unhealthy, and publishes reject at once', async () => {
    const bus = await open({}, 'amqp://guest:guest@127.0.0.1:1/nowhere');
    await bus.declare(
      ['nowhere_events'],
      [{ queue: 'nowhere.q', exchange: 'nowhere_events', patterns: ['#'] }],
    );
    await bus.subscribe('nowhere.q', async () => {});
    expect(bus.isHealthy()).toBe(false);
    const started = Date.now();
    await expect(bus.publish('nowhere_events', 'x.y', message('x.y'))).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('when nothing is bound to a key, then publish resolves; when a declared queue is missing, then publish rejects until it is declared again', async () => {
    const bus = await open();
    const { exchange, queue } = await topology(bus, ['thing.*']);
    await bus.publish(exchange, 'other.created', message('other.created'));

    const connection = await connect(vhost.url);
    await (await connection.createChannel()).deleteQueue(queue);
    await connection.close();
    await expect(bus.publish(exchange, 'thing.created', message('thing.created'))).rejects.toThrow(/missing/);

    const got: string[] = [];
    await eventually(async () => {
      try {
        await bus.publish(exchange, 'thing.created', message('thing.created', { n: 'after' }));
        return true;
      } catch {
        return false;
      }
    });
    // The consumer's queue came back empty; a fresh subscription takes what was published since.
    await bus.subscribe(queue, async (delivery) => void got.push(String(delivery.message.n)));
    await eventually(() => got.includes('after'));
  });

  it('when two replicas declare the same topology and consume one queue, then each message is handled once', async () => {
    const [first, second] = [await open(), await open()];
    const exchange = unique('shared_events');
    const queue = unique('shared');
    for (const bus of [first, second]) await bus.declare([exchange], [{ queue, exchange, patterns: ['#'] }]);
    const seen: string[] = [];
    for (const bus of [first, second]) {
      await bus.subscribe(queue, async (delivery) => void seen.push(delivery.message.event_id));
    }
    const ids: string[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, n) => {
        const event = message('job.created', { n });
        ids.push(event.event_id);
        return (n % 2 ? first : second).publish(exchange, 'job.created', event);
      }),
    );
    await eventually(() => seen.length >= 100);
    await pause(200);
    expect([...seen].sort()).toEqual([...ids].sort());
  });
});
