import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import { inboxHandler } from '../../src/platform/events/inbox.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { OutboxRelay } from '../../src/platform/events/outbox-relay.js';
import { recordingBus } from '../helpers/recording-bus.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';

/** A transaction on the requests' only connection that stays open until `release()`. */
function holdRequestConnection(database: Database) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const running = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = database.transaction(async (tx) => {
    await tx.execute(sql`select 1`);
    started();
    await gate;
  });
  return { running, release, done };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  return Promise.race([
    promise,
    new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), ms).unref()),
  ]);
}

describe('the event lane: the relay and the consumers keep their own connections', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDatabase = await createPostgresDatabase();
    database = await testDatabase.open(1, { eventPoolSize: 1 });
    await database.migrate(migrationFolders([]));
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('when every request connection is busy, then a consumer transaction still commits and is heard by onCommit', async () => {
    const held = holdRequestConnection(database);
    await held.running;
    let commits = 0;
    database.onCommit(() => commits++);
    const consumer = `test.${randomUUID()}`;
    const handled: string[] = [];
    const handler = inboxHandler(database.events, consumer, async (message) => {
      handled.push(message.event_id);
    });
    const eventId = randomUUID();
    const delivery = {
      queue: consumer,
      exchange: 'x',
      routingKey: 'thing.happened',
      message: { event_id: eventId } as EventEnvelope,
      attempt: 1,
    };
    expect(await within(handler(delivery), 5000)).toBeUndefined();
    expect(handled).toEqual([eventId]);
    expect(commits).toBe(1);
    held.release();
    await held.done;
  });

  it('when every request connection is busy, then the outbox relay still reads, publishes and marks its rows on its own session', async () => {
    const exchange = `t${randomUUID().slice(0, 8)}_events`;
    await database.transaction((tx) =>
      recordEvents(tx, [{ exchange, routingKey: 'thing.happened', version: 1, payload: { n: 1 } }]),
    );
    const bus = recordingBus();
    const held = holdRequestConnection(database);
    await held.running;
    const relay = new OutboxRelay(database, bus, {
      exchanges: [exchange],
      batchSize: 10,
      pollMs: 10_000,
      onError: () => {},
    });
    expect(await within(relay.flush(), 5000)).toBeUndefined();
    expect(bus.published).toHaveLength(1);
    await relay.stop();
    held.release();
    await held.done;
    const [row] = await queryRows<{ sent: boolean }>(
      database.db,
      sql`select published_at is not null as sent from platform.outbox where exchange = ${exchange}`,
    );
    expect(row?.sent).toBe(true);
  });

  it("when no event connections are asked for, then the events share the requests' lane", async () => {
    const shared = await testDatabase.open(1);
    try {
      expect(shared.events).toBe(shared);
      const held = holdRequestConnection(shared);
      await held.running;
      // The one connection is taken: an event transaction waits for it.
      expect(
        await within(
          shared.events.transaction(async () => 'ran'),
          300,
        ),
      ).toBe('timed out');
      held.release();
      await held.done;
    } finally {
      await shared.close();
    }
  });
});
