import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import { EventRetention } from '../../src/platform/events/retention.js';
import { usePlatformDatabase } from '../helpers/test-database.js';

describe('event retention: published outbox rows and old inbox records are swept', () => {
  const platform = usePlatformDatabase();

  const retention = (batchSize = 5000) =>
    new EventRetention(platform.database, {
      retentionHours: 24,
      intervalMs: 60_000,
      batchSize,
      onSwept: () => {},
      onError: () => {},
    });

  /** An outbox row of `exchange`, published `publishedHoursAgo` ago (null: never). */
  async function outboxRow(exchange: string, publishedHoursAgo: number | null, createdHoursAgo = 100) {
    const message = createEnvelope('thing.happened', 1, {});
    const published =
      publishedHoursAgo === null ? sql`null` : sql`now() - ${`${publishedHoursAgo} hours`}::interval`;
    await platform.database.db.execute(sql`
      insert into platform.outbox (event_id, exchange, routing_key, message, created_at, published_at)
      values (${message.event_id}, ${exchange}, 'thing.happened', ${JSON.stringify(message)}::jsonb,
              now() - ${`${createdHoursAgo} hours`}::interval, ${published})`);
  }

  async function inboxRecord(consumer: string, handledHoursAgo: number) {
    await platform.database.db.execute(sql`
      insert into platform.inbox (consumer, event_id, handled_at)
      values (${consumer}, ${randomUUID()}, now() - ${`${handledHoursAgo} hours`}::interval)`);
  }

  const outboxLeft = (exchange: string) =>
    queryRows<{ published: boolean; hours: number }>(
      platform.database.db,
      sql`select published_at is not null as published,
                 round(extract(epoch from now() - coalesce(published_at, created_at)) / 3600)::int as hours
          from platform.outbox where exchange = ${exchange} order by id`,
    );
  const inboxLeft = async (consumer: string) =>
    (
      await queryRows<{ hours: number }>(
        platform.database.db,
        sql`select round(extract(epoch from now() - handled_at) / 3600)::int as hours
            from platform.inbox where consumer = ${consumer} order by handled_at`,
      )
    ).map((row) => row.hours);

  it('when rows are past the retention, then the published ones go and the unpublished and recent ones stay', async () => {
    const exchange = `t${randomUUID().slice(0, 8)}_events`;
    const consumer = `test.${randomUUID()}`;
    await outboxRow(exchange, 48);
    await outboxRow(exchange, 30);
    await outboxRow(exchange, null, 200);
    await outboxRow(exchange, 2);
    await inboxRecord(consumer, 72);
    await inboxRecord(consumer, 25);
    await inboxRecord(consumer, 1);

    const removed = await retention().sweep();

    expect(removed.outbox).toBeGreaterThanOrEqual(2);
    expect(removed.inbox).toBeGreaterThanOrEqual(2);
    expect(await outboxLeft(exchange)).toEqual([
      { published: false, hours: 200 },
      { published: true, hours: 2 },
    ]);
    expect(await inboxLeft(consumer)).toEqual([1]);
  });

  it('when more rows are due than one batch holds, then the sweep goes on batch by batch until none is left', async () => {
    const exchange = `t${randomUUID().slice(0, 8)}_events`;
    const consumer = `test.${randomUUID()}`;
    for (let n = 0; n < 7; n++) {
      await outboxRow(exchange, 40 + n);
      await inboxRecord(consumer, 40 + n);
    }
    await retention(3).sweep();
    expect(await outboxLeft(exchange)).toEqual([]);
    expect(await inboxLeft(consumer)).toEqual([]);
  });

  it('when started, then it sweeps on its interval and stops cleanly', async () => {
    const exchange = `t${randomUUID().slice(0, 8)}_events`;
    await outboxRow(exchange, 50);
    const swept: number[] = [];
    const timed = new EventRetention(platform.database, {
      retentionHours: 24,
      intervalMs: 20,
      onSwept: (removed) => swept.push(removed.outbox),
      onError: (error) => {
        throw error;
      },
    });
    timed.start();
    const deadline = Date.now() + 5000;
    while (swept.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await timed.stop();
    expect(swept[0]).toBeGreaterThanOrEqual(1);
    expect(await outboxLeft(exchange)).toEqual([]);
  });
});
