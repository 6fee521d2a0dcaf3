import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseLane, type Executor, queryRows } from '../../src/platform/db/database.js';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import type { Delivery } from '../../src/platform/events/event-bus.js';
import { type EventHandler, inboxHandler } from '../../src/platform/events/inbox.js';
import { usePlatformDatabase } from '../helpers/test-database.js';

/**
 * A queue's deliveries that arrive while it is busy are applied in batches: one transaction, their
 * inbox rows in one statement; a batch that fails is applied again one delivery at a time.
 */
describe('deliveries applied in batches', () => {
  const platform = usePlatformDatabase();

  beforeAll(async () => {
    await platform.database.db.execute(
      sql`create table batch_probe (consumer text, event_id uuid, primary key (consumer, event_id))`,
    );
  });

  /** The events lane, counting the transactions opened on it and the most open at once. */
  function countingLane(): { lane: DatabaseLane; transactions: () => number; mostAtOnce: () => number } {
    let transactions = 0;
    let open = 0;
    let mostAtOnce = 0;
    const database = platform.database;
    return {
      lane: {
        get db() {
          return database.db;
        },
        async transaction<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
          transactions++;
          mostAtOnce = Math.max(mostAtOnce, ++open);
          try {
            return await database.transaction(work);
          } finally {
            open--;
          }
        },
      },
      transactions: () => transactions,
      mostAtOnce: () => mostAtOnce,
    };
  }

  const delivery = (queue: string, routingKey = 'thing.created'): Delivery => ({
    queue,
    exchange: 'x',
    routingKey,
    message: createEnvelope(routingKey, 1, { n: 1 }),
    attempt: 1,
  });

  /** Writes one row per application: a second application of an event fails on the primary key. */
  const recording =
    (consumer: string): EventHandler =>
    async (message, tx) => {
      await tx.execute(
        sql`insert into batch_probe (consumer, event_id) values (${consumer}, ${message.event_id})`,
      );
    };

  async function applied(consumer: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      platform.database.db,
      sql`select count(*)::int as n from batch_probe where consumer = ${consumer}`,
    );
    return row!.n;
  }

  async function inboxRows(consumer: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      platform.database.db,
      sql`select count(*)::int as n from platform.inbox where consumer = ${consumer}`,
    );
    return row!.n;
  }

  it('when 60 deliveries arrive at once, then each is applied once in a handful of transactions', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane, transactions } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer));
    await Promise.all(Array.from({ length: 60 }, () => handle(delivery(consumer))));
    expect(await applied(consumer)).toBe(60);
    expect(await inboxRows(consumer)).toBe(60);
    // The first four go alone, side by side (the queue was idle); the rest wait and go together.
    expect(transactions()).toBeLessThanOrEqual(8);
  });

  it('when the handler shares rows between events, then one batch at a time is applied', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane, transactions, mostAtOnce } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer), { sharedRows: true });
    await Promise.all(Array.from({ length: 60 }, () => handle(delivery(consumer))));
    expect(await applied(consumer)).toBe(60);
    expect(mostAtOnce()).toBe(1);
    expect(transactions()).toBeLessThanOrEqual(4);
  });

  it('when the handler shares rows it locks in one order, then two batches at a time are applied', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane, transactions, mostAtOnce } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer), {
      sharedRows: true,
      locksInOrder: true,
    });
    await Promise.all(Array.from({ length: 60 }, () => handle(delivery(consumer))));
    expect(await applied(consumer)).toBe(60);
    expect(await inboxRows(consumer)).toBe(60);
    expect(mostAtOnce()).toBe(2);
    expect(transactions()).toBeLessThanOrEqual(4);
  });

  it('when a batch meets a deadlock, then its deliveries go again one at a time and none fails', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane } = countingLane();
    const write = recording(consumer);
    let deadlocks = 0;
    const retried: [string, number][] = [];
    const handle = inboxHandler(
      lane,
      consumer,
      async (message, tx, received) => {
        await write(message, tx, received);
        // PostgreSQL's answer to the victim of a deadlock, met once, inside a batch.
        if (received.routingKey === 'thing.contended' && deadlocks++ === 0)
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
      { sharedRows: true, onRetryAlone: (error, size) => retried.push([String(error), size]) },
    );
    const deliveries = Array.from({ length: 20 }, (_, index) =>
      delivery(consumer, index === 13 ? 'thing.contended' : 'thing.created'),
    );
    const outcomes = await Promise.allSettled(deliveries.map((each) => handle(each)));
    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(deadlocks).toBe(2);
    // Said once, for the batch of 19 that followed the lone first delivery.
    expect(retried).toEqual([['Error: deadlock detected', 19]]);
    expect(await applied(consumer)).toBe(20);
    expect(await inboxRows(consumer)).toBe(20);
  });

  it('when one delivery of a batch is poison, then it alone fails and every other one is applied once', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane } = countingLane();
    const write = recording(consumer);
    const handle = inboxHandler(lane, consumer, async (message, tx, received) => {
      await write(message, tx, received);
      if (received.routingKey === 'thing.poisoned') throw new Error('cannot apply this one');
    });
    const deliveries = Array.from({ length: 20 }, (_, index) =>
      delivery(consumer, index === 13 ? 'thing.poisoned' : 'thing.created'),
    );
    const outcomes = await Promise.allSettled(deliveries.map((each) => handle(each)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      deliveries.map((_, index) => (index === 13 ? 'rejected' : 'fulfilled')),
    );
    expect(String((outcomes[13] as PromiseRejectedResult).reason)).toContain('cannot apply this one');
    expect(await applied(consumer)).toBe(19);
    // The poison left no inbox row: its retry will be applied.
    expect(await inboxRows(consumer)).toBe(19);
  });

  it('when an event comes twice in one batch or again later, then it is applied once', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer));
    const twice = delivery(consumer);
    const others = Array.from({ length: 10 }, () => delivery(consumer));
    await Promise.all([...others, twice, { ...twice, attempt: 2 }, twice].map((each) => handle(each)));
    await handle({ ...twice, attempt: 3 });
    expect(await applied(consumer)).toBe(11);
  });

  it('when a batch holds version-guarded deliveries, then they commit with it and take no inbox row', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer), {
      versionGuarded: (each) => each.routingKey === 'thing.revised',
    });
    const deliveries = Array.from({ length: 30 }, (_, index) =>
      delivery(consumer, index % 2 === 0 ? 'thing.revised' : 'thing.created'),
    );
    await Promise.all(deliveries.map((each) => handle(each)));
    expect(await applied(consumer)).toBe(30);
    expect(await inboxRows(consumer)).toBe(15);
  });

  it('when a delivery settles, then its batch has committed: what it wrote is there for everyone', async () => {
    const consumer = `test.${randomUUID()}`;
    const { lane } = countingLane();
    const handle = inboxHandler(lane, consumer, recording(consumer));
    const seenAtSettle: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        await handle(delivery(consumer));
        seenAtSettle.push(await applied(consumer));
      }),
    );
    // Read on another statement (another connection on PostgreSQL) as each delivery settled: never
    // fewer rows than deliveries settled so far.
    for (const [index, seen] of seenAtSettle.entries()) expect(seen).toBeGreaterThanOrEqual(index + 1);
  });
});
