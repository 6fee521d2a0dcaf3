import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { sql } from 'drizzle-orm';
import { integer, pgSchema, text } from 'drizzle-orm/pg-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { saveManyIfNewer } from '../../src/platform/db/read-model.js';
import { type EventOf, on } from '../../src/platform/events/contracts.js';
import { createEnvelope, type ModuleContract } from '../../src/platform/events/envelope.js';
import type { Delivery, DeliveryHandler } from '../../src/platform/events/event-bus.js';
import { inboxHandler } from '../../src/platform/events/inbox.js';
import { subscribedQueue } from '../helpers/subscribed-queue.js';
import { usePlatformDatabase } from '../helpers/test-database.js';

/**
 * A subscription's `many`: a batch's consecutive deliveries of the events sharing it are applied in
 * one call (set-based statements), in their order; `last` ones after the batch's others; a run
 * that fails sends the batch back one delivery at a time, so a poison message still fails alone.
 */
const things = {
  exchange: 'thing_events',
  events: [
    { routingKey: 'thing.created', payload: Type.Object({ thing_id: Type.Integer() }), description: '' },
    { routingKey: 'thing.updated', payload: Type.Object({ thing_id: Type.Integer() }), description: '' },
    { routingKey: 'thing.noted', payload: Type.Object({ thing_id: Type.Integer() }), description: '' },
  ],
} as const satisfies ModuleContract;
type Thing = EventOf<typeof things, 'thing.created'>;

/** A read model of things, as a module would keep one. */
const thingCopies = pgSchema('probe').table('thing_copies', {
  thingId: integer('thing_id').primaryKey(),
  label: text('label').notNull(),
  version: integer('version').notNull(),
});

describe('a batch applied in runs', () => {
  const platform = usePlatformDatabase();

  beforeAll(async () => {
    await platform.database.db.execute(sql`create schema if not exists probe`);
    await platform.database.db.execute(
      sql`create table probe.thing_copies (thing_id integer primary key, label text not null, version integer not null)`,
    );
  });

  const delivery = (routingKey: string, thingId: unknown, version = 1): Delivery => ({
    queue: 'probe.thing_events',
    exchange: things.exchange,
    routingKey,
    message: createEnvelope(routingKey, version, { thing_id: thingId }),
    attempt: 1,
  });

  /** The queue's handler as the runtime builds it from the subscriptions (one batch at a time). */
  function queue(subscriptions: Parameters<typeof subscribedQueue>[0]): DeliveryHandler {
    const { handler, options } = subscribedQueue(subscriptions);
    return inboxHandler(platform.database, `probe.${randomUUID()}`, handler, {
      ...options,
      sharedRows: true,
    });
  }

  it('when a batch mixes events with and without `many`, then runs go together and every event once, in order', async () => {
    const applied: string[] = [];
    const runs: number[][] = [];
    const many = async (events: Thing[]) => {
      runs.push(events.map((event) => event.thing_id));
      applied.push(...events.map((event) => `${event.event}:${event.thing_id}`));
    };
    const one = async (event: Thing) => {
      applied.push(`${event.event}:${event.thing_id}`);
    };
    const handle = queue([
      on(things, 'thing.created', one, { many }),
      on(things, 'thing.updated', one, { many }),
      on(things, 'thing.noted', one),
    ]);
    const keys = ['thing.created', 'thing.updated', 'thing.created', 'thing.noted', 'thing.updated'];
    const deliveries = [delivery('thing.created', 0), ...keys.map((key, index) => delivery(key, index + 1))];
    await Promise.all(deliveries.map((each) => handle(each)));
    // The first went alone (the queue was idle); the others waited and formed one batch.
    expect(applied).toEqual(deliveries.map((each) => `${each.message.event}:${each.message.thing_id}`));
    expect(runs).toEqual([[1, 2, 3], [5]]);
  });

  it("when a `many` comes last, then its run follows the batch's other events", async () => {
    const applied: string[] = [];
    const handle = queue([
      on(things, 'thing.created', async (event) => void applied.push(`one:${event.thing_id}`)),
      on(things, 'thing.updated', async (event) => void applied.push(`one:${event.thing_id}`), {
        versionGuarded: true,
        last: true,
        many: async (events) => void applied.push(`many:${events.map((event) => event.thing_id).join(',')}`),
      }),
    ]);
    const keys = ['thing.created', 'thing.updated', 'thing.created', 'thing.updated', 'thing.created'];
    await Promise.all(keys.map((key, index) => handle(delivery(key, index))));
    expect(applied).toEqual(['one:0', 'one:2', 'one:4', 'many:1,3']);
  });

  it('when a run holds a malformed event, then the batch goes again one by one and only that one fails', async () => {
    const table = thingCopies;
    const write = async (events: Thing[], tx: Parameters<typeof saveManyIfNewer>[0]) =>
      saveManyIfNewer(
        tx,
        table,
        table.thingId,
        events.map((event) => ({ thingId: event.thing_id, label: 'many', version: event.version })),
      );
    const handle = queue([
      on(things, 'thing.created', async (event, tx) => write([event], tx), {
        versionGuarded: true,
        many: write,
      }),
    ]);
    const base = 1_000;
    const deliveries = [
      ...Array.from({ length: 6 }, (_, index) => delivery('thing.created', base + index)),
      delivery('thing.created', 'not a number'),
      ...Array.from({ length: 6 }, (_, index) => delivery('thing.created', base + 10 + index)),
    ];
    const outcomes = await Promise.allSettled(deliveries.map((each) => handle(each)));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      deliveries.map((_, index) => (index === 6 ? 'rejected' : 'fulfilled')),
    );
    expect(String((outcomes[6] as PromiseRejectedResult).reason)).toContain('malformed thing.created');
    const [row] = await queryRows<{ n: number }>(
      platform.database.db,
      sql`select count(*)::int as n from probe.thing_copies where thing_id between ${base} and ${base + 20}`,
    );
    expect(row!.n).toBe(12);
  });

  it('when revisions of one entity come several in one statement, then the newest is kept and an older one changes nothing', async () => {
    const table = thingCopies;
    const db = platform.database.db;
    await saveManyIfNewer(db, table, table.thingId, [
      { thingId: 1_000_001, label: 'v2', version: 2 },
      { thingId: 1_000_002, label: 'v1', version: 1 },
      { thingId: 1_000_001, label: 'v3', version: 3 },
      { thingId: 1_000_001, label: 'v1', version: 1 },
    ]);
    await saveManyIfNewer(db, table, table.thingId, [
      { thingId: 1_000_002, label: 'v5', version: 5 },
      { thingId: 1_000_001, label: 'v2 again', version: 2 },
    ]);
    // A tombstone-like write changes only the fields named.
    await saveManyIfNewer(
      db,
      table,
      table.thingId,
      [{ thingId: 1_000_002, label: 'gone', version: 6 }],
      ['version'],
    );
    const rows = await queryRows<{ thing_id: number; label: string; version: number }>(
      db,
      sql`select thing_id, label, version from probe.thing_copies where thing_id > 1000000 order by thing_id`,
    );
    expect(rows).toEqual([
      { thing_id: 1_000_001, label: 'v3', version: 3 },
      { thing_id: 1_000_002, label: 'v5', version: 6 },
    ]);
  });
});
