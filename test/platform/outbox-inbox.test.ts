import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import type { Delivery, EventBus } from '../../src/platform/events/event-bus.js';
import { deadLetterTable, inboxHandler } from '../../src/platform/events/inbox.js';
import { MemoryEventBus } from '../../src/platform/events/memory-bus.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { OutboxRelay } from '../../src/platform/events/outbox-relay.js';
import { recordingBus } from '../helpers/recording-bus.js';
import { usePlatformDatabase } from '../helpers/test-database.js';

const silent = () => {};

describe('outbox and inbox', () => {
  const platform = usePlatformDatabase();

  const exchange = () => `t${randomUUID().slice(0, 8)}_events`;
  const relays: OutboxRelay[] = [];
  const relayFor = (bus: EventBus, name: string) => {
    const relay = new OutboxRelay(platform.database, bus, {
      exchanges: [name],
      batchSize: 50,
      pollMs: 10_000,
      onError: silent,
    });
    relays.push(relay);
    return relay;
  };
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  it('when the process dies after commit and before publish, then a new relay publishes every row, in order', async () => {
    const name = exchange();
    await platform.database.transaction((tx) =>
      recordEvents(
        tx,
        Array.from({ length: 120 }, (_, n) => ({
          exchange: name,
          routingKey: 'thing.created',
          version: n + 1,
          payload: { n },
        })),
      ),
    );
    // the first relay never ran: the "crash". A fresh one starts from the table alone.
    const bus = recordingBus();
    const relay = relayFor(bus, name);
    await relay.flush();
    expect(bus.published.map((message) => message.n)).toEqual(Array.from({ length: 120 }, (_, n) => n));
    expect(bus.published[0]).toMatchObject({ event: 'thing_created', version: 1 });
    await relay.stop();
    await relayFor(bus, name).flush();
    expect(bus.published).toHaveLength(120);
  });

  it('when two relays serve one exchange, then only the lock holder publishes, and the other takes over once it stops', async () => {
    const name = exchange();
    const record = (from: number, count: number) =>
      recordEvents(
        platform.database.db,
        Array.from({ length: count }, (_, n) => ({
          exchange: name,
          routingKey: 'thing.created',
          version: 1,
          payload: { n: from + n },
        })),
      );
    await record(0, 3);
    const [first, second] = [recordingBus(), recordingBus()];
    const holder = relayFor(first, name);
    const standby = relayFor(second, name);
    await holder.flush();
    await standby.flush();
    await record(3, 2);
    await standby.flush();
    expect(first.published.map((message) => message.n)).toEqual([0, 1, 2]);
    expect(second.published).toEqual([]);
    await holder.stop();
    await standby.flush();
    expect(second.published.map((message) => message.n)).toEqual([3, 4]);
    expect(first.published).toHaveLength(3);
  });

  it('when a transaction rolls back, then its events are never published', async () => {
    const name = exchange();
    await expect(
      platform.database.transaction(async (tx) => {
        await recordEvents(tx, [{ exchange: name, routingKey: 'thing.created', version: 1, payload: {} }]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const bus = recordingBus();
    await relayFor(bus, name).flush();
    expect(bus.published).toEqual([]);
  });

  it('when the broker refuses a publish, then the row stays unsent and goes out on the next pass', async () => {
    const name = exchange();
    await recordEvents(platform.database.db, [
      { exchange: name, routingKey: 'thing.created', version: 1, payload: { n: 1 } },
    ]);
    const bus = recordingBus();
    bus.failNext = 1;
    const relay = relayFor(bus, name);
    await relay.flush();
    expect(bus.published).toEqual([]);
    const [row] = await queryRows<{ published_at: string | null; last_error: string | null }>(
      platform.database.db,
      sql`select published_at, last_error from platform.outbox where exchange = ${name}`,
    );
    expect(row).toMatchObject({ published_at: null });
    expect(row?.last_error).toContain('broker said no');
    await relay.flush();
    expect(bus.published.map((message) => message.n)).toEqual([1]);
  });

  it('when the same event is delivered twice, then the inbox applies it once', async () => {
    let applied = 0;
    const handler = inboxHandler(platform.database, `test.${randomUUID()}`, async () => {
      applied++;
    });
    const message = createEnvelope('thing.created', 1, {});
    const delivery: Delivery = {
      queue: 'q',
      exchange: 'x',
      routingKey: 'thing.created',
      message,
      attempt: 1,
    };
    await handler(delivery);
    await handler({ ...delivery, attempt: 2 });
    await Promise.all([handler(delivery), handler(delivery)]);
    expect(applied).toBe(1);
  });

  it('when a delivery is version-guarded, then it reaches the handler outside any transaction and leaves no inbox row', async () => {
    const consumer = `test.${randomUUID()}`;
    const seen: { key: string; inTransaction: boolean }[] = [];
    const handler = inboxHandler(
      platform.database,
      consumer,
      async (_message, executor, delivery) => {
        // Inside the inbox's transaction the inbox insert has already taken a transaction id; a
        // statement that commits alone has none when it reads.
        const [row] = await queryRows<{ open: boolean }>(
          executor,
          sql`select pg_current_xact_id_if_assigned() is not null as open`,
        );
        seen.push({ key: delivery.routingKey, inTransaction: row?.open === true });
      },
      { versionGuarded: (delivery) => delivery.routingKey === 'thing.revised' },
    );
    const delivery = (routingKey: string): Delivery => ({
      queue: consumer,
      exchange: 'x',
      routingKey,
      message: createEnvelope(routingKey, 1, {}),
      attempt: 1,
    });
    const revised = delivery('thing.revised');
    await handler(revised);
    await handler(revised);
    await handler(delivery('thing.moved'));
    expect(seen).toEqual([
      { key: 'thing.revised', inTransaction: false },
      { key: 'thing.revised', inTransaction: false },
      { key: 'thing.moved', inTransaction: true },
    ]);
    const rows = await queryRows<{ n: number }>(
      platform.database.db,
      sql`select count(*)::int as n from platform.inbox where consumer = ${consumer}`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('when a handler fails, then its inbox record rolls back with it and a retry applies the event', async () => {
    let calls = 0;
    const consumer = `test.${randomUUID()}`;
    const handler = inboxHandler(platform.database, consumer, async (_message, tx) => {
      calls++;
      await tx.execute(sql`select 1`);
      if (calls === 1) throw new Error('transient');
    });
    const message = createEnvelope('thing.created', 1, {});
    const delivery: Delivery = {
      queue: 'q',
      exchange: 'x',
      routingKey: 'thing.created',
      message,
      attempt: 1,
    };
    await expect(handler(delivery)).rejects.toThrow('transient');
    await handler({ ...delivery, attempt: 2 });
    expect(calls).toBe(2);
    const rows = await queryRows<{ n: number }>(
      platform.database.db,
      sql`select count(*)::int as n from platform.inbox where consumer = ${consumer}`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it('when the in-memory bus gives up on a message, then it is parked in the dead-letter table', async () => {
    const bus = new MemoryEventBus({
      maxAttempts: 2,
      retryDelayMs: 1,
      prefetch: 1,
      deadLetter: deadLetterTable(platform.database),
    });
    const queue = `dlq_${randomUUID().slice(0, 8)}`;
    await bus.declare(['x_events'], [{ queue, exchange: 'x_events', patterns: ['#'] }]);
    await bus.subscribe(queue, async () => {
      throw new Error('always fails');
    });
    const message = createEnvelope('thing.created', 1, { n: 1 });
    await bus.publish('x_events', 'thing.created', message);
    const parked = await queryRows<{
      event_id: string;
      attempts: number;
      error: string;
      routing_key: string;
    }>(
      platform.database.db,
      sql`select event_id, attempts, error, routing_key from platform.dead_letters where queue = ${queue}`,
    );
    expect(parked).toEqual([
      { event_id: message.event_id, attempts: 2, error: 'always fails', routing_key: 'thing.created' },
    ]);
    await bus.close();
  });
});
