import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import type { EventBus } from '../../src/platform/events/event-bus.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { OutboxRelay } from '../../src/platform/events/outbox-relay.js';
import { recordingBus } from '../helpers/recording-bus.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';

/** Resolves once `check` holds, polling; fails after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The relay on real PostgreSQL with several processes' worth of connections: which relay publishes
 * (a session's advisory lock), rows that commit out of id order, and replicas waking the holder.
 */
describe('the outbox relay across replicas', () => {
  let testDatabase: TestDatabase;
  /** Two "processes": each its own connections, as two replicas have. */
  let replicas: [Database, Database];
  const relays: OutboxRelay[] = [];
  beforeAll(async () => {
    testDatabase = await createPostgresDatabase();
    replicas = [await testDatabase.open(2), await testDatabase.open(2)];
    await replicas[0].migrate(migrationFolders([]));
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });
  afterAll(async () => {
    await Promise.all((replicas ?? []).map((database) => database.close()));
    await testDatabase?.drop();
  });

  const exchange = () => `t${randomUUID().slice(0, 8)}_events`;
  const relayFor = (database: Database, bus: EventBus, name: string, pollMs = 60_000) => {
    const relay = new OutboxRelay(database, bus, {
      exchanges: [name],
      batchSize: 50,
      pollMs,
      onError: () => {},
    });
    relays.push(relay);
    return relay;
  };
  const record = (executor: Database | Parameters<typeof recordEvents>[0], name: string, n: number) =>
    recordEvents('db' in executor ? executor.db : executor, [
      { exchange: name, routingKey: 'thing.created', version: 1, payload: { n } },
    ]);

  it('when a row commits after rows with later ids were published, then the next pass publishes it', async () => {
    const name = exchange();
    const bus = recordingBus();
    const relay = relayFor(replicas[0], bus, name);
    relay.start();
    await relay.flush();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let recorded!: () => void;
    const early = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    // Takes the lower id first, commits last; its commit wakes the relay, whose pass must look back.
    const slow = replicas[0].transaction(async (tx) => {
      await record(tx, name, 1);
      recorded();
      await gate;
    });
    await early;
    await record(replicas[1], name, 2);
    relay.wake();
    await eventually(() => bus.published.length === 1, 5_000, 'the later row');
    release();
    await slow;
    await eventually(() => bus.published.length === 2, 5_000, 'the row that committed late');
    expect(bus.published.map((message) => message.n)).toEqual([2, 1]);
  });

  it('when a replica commits, then its notification wakes the holder, which publishes long before its poll', async () => {
    const name = exchange();
    const [holderBus, replicaBus] = [recordingBus(), recordingBus()];
    const holder = relayFor(replicas[0], holderBus, name);
    holder.start();
    await holder.flush();
    const replica = relayFor(replicas[1], replicaBus, name);
    replica.start();
    await replica.flush();
    await replicas[1].transaction((tx) => record(tx, name, 7));
    await eventually(() => holderBus.published.length === 1, 5_000, 'the holder to publish');
    expect(holderBus.published[0]).toMatchObject({ n: 7 });
    expect(replicaBus.published).toEqual([]);
  });

  it('when the holder stops, then a standby takes over at once rather than at its next poll', async () => {
    const name = exchange();
    const [holderBus, standbyBus] = [recordingBus(), recordingBus()];
    const holder = relayFor(replicas[0], holderBus, name);
    await holder.flush();
    const standby = relayFor(replicas[1], standbyBus, name);
    standby.start();
    await standby.flush();
    expect([holder.publishing().get(name), standby.publishing().get(name)]).toEqual([true, false]);
    await holder.stop();
    await replicas[1].transaction((tx) => record(tx, name, 8));
    await eventually(() => standbyBus.published.length === 1, 5_000, 'the standby to take over');
    expect(standby.publishing().get(name)).toBe(true);
    expect(standbyBus.published[0]).toMatchObject({ n: 8 });
    expect(holderBus.published).toEqual([]);
  });

  it('when the holder cannot reach its broker, then it lets go and a replica that can publishes', async () => {
    const name = exchange();
    const [holderBus, replicaBus] = [recordingBus(), recordingBus()];
    const holder = relayFor(replicas[0], holderBus, name, 50);
    await holder.flush();
    holder.start();
    const replica = relayFor(replicas[1], replicaBus, name, 50);
    replica.start();
    holderBus.isHealthy = () => false;
    await record(replicas[0], name, 9);
    await eventually(() => replicaBus.published.length === 1, 5_000, 'the replica to take over');
    expect(replicaBus.published[0]).toMatchObject({ n: 9 });
    expect(holderBus.published).toEqual([]);
  });

  it("when the holder's connection is lost, then a replica takes the exchange over and the holder publishes no more", async () => {
    const name = exchange();
    const [holderBus, replicaBus] = [recordingBus(), recordingBus()];
    const holder = relayFor(replicas[0], holderBus, name);
    await record(replicas[0], name, 1);
    await holder.flush();
    const replica = relayFor(replicas[1], replicaBus, name, 50);
    replica.start();
    await replica.flush();
    expect(replicaBus.published).toEqual([]);

    // PostgreSQL ends the holder's session (as when its process dies): its advisory lock goes with it.
    await replicas[1].db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'mascotas-session' and datname = current_database()
            and pid in (select pid from pg_locks where locktype = 'advisory' and granted)`,
    );
    await record(replicas[1], name, 2);
    await eventually(() => replicaBus.published.length === 1, 5_000, 'the replica to take over');
    expect(replicaBus.published[0]).toMatchObject({ n: 2 });
    await record(replicas[0], name, 3);
    await holder.flush();
    await eventually(() => replicaBus.published.length === 2, 5_000, 'the replica to publish the next row');
    expect(holderBus.published.map((message) => message.n)).toEqual([1]);
    expect(replicaBus.published.map((message) => message.n)).toEqual([2, 3]);
  });
});
