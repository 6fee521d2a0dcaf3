import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { postNotes, settledLedger } from './notes-ledger.js';
import { broker, createVhost, pause, type TestVhost } from './rabbit-broker.js';

/**
 * Faults of the whole broker, so this file runs alone (the project has no file parallelism) and
 * always starts the broker application again.
 */
describe('the RabbitMQ bus when the broker fails under a stream of events', () => {
  let vhost: TestVhost;
  let testDatabase: TestDatabase;
  let t: TestApp;
  let written = 0;

  beforeAll(async () => {
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
    t = await buildTestApp({
      modules: [notesModule, echoesModule],
      testDatabase,
      config: { AMQP_URL: vhost.url, EVENT_MAX_ATTEMPTS: 10 },
    });
  });
  afterAll(async () => {
    await broker.startApp();
    await t?.close();
    await testDatabase?.drop();
    await vhost?.drop();
  });

  const healthy = () => t.app.platform.events.bus.isHealthy();
  const unpublished = async () => {
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from platform.outbox where published_at is null`,
    );
    return row!.n;
  };

  /** Streams 1,000 notes, runs `fault` after the 300th, and checks that every event was applied once. */
  async function streamThrough(fault: () => Promise<void>): Promise<void> {
    let faulting: Promise<void> | undefined;
    const statuses = await postNotes(t, 1000, { concurrency: 4, at: { 300: () => (faulting = fault()) } });
    await faulting;
    written += 1000;
    expect(statuses.filter((status) => status !== 201)).toEqual([]);
    await eventually(healthy, 30_000);
    const result = await settledLedger(t.database, 60_000);
    expect(result).toEqual({ notes: written, echoes: written, lost: 0, duplicated: 0, unexpected: 0 });
    await eventually(async () => (await unpublished()) === 0, 10_000);
  }

  it('when every connection is closed mid-stream, then each of 1,000 events is applied exactly once', async () => {
    await streamThrough(async () => {
      await broker.closeConnections(vhost.name);
      await eventually(() => !healthy(), 5_000).catch(() => {});
    });
  }, 120_000);

  it('when the broker application stops and starts mid-stream, then each of 1,000 events is applied exactly once', async () => {
    await streamThrough(async () => {
      try {
        await broker.stopApp();
        await eventually(() => !healthy(), 5_000);
        await pause(1_000);
      } finally {
        await broker.startApp();
      }
    });
  }, 180_000);

  it('when the broker is stopped, then readiness says so, writes succeed, and their events flow once it is back', async () => {
    try {
      await broker.stopApp();
      await eventually(() => !healthy(), 5_000);
      const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', checks: { database: 'up', broker: 'down' } });
      const statuses = await postNotes(t, 20, { prefix: 'while down' });
      expect(statuses.every((status) => status === 201)).toBe(true);
      written += 20;
      expect(await unpublished()).toBe(20);
    } finally {
      await broker.startApp();
    }
    await eventually(healthy, 30_000);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'up', broker: 'up' } });
    const result = await settledLedger(t.database, 60_000);
    expect(result).toEqual({ notes: written, echoes: written, lost: 0, duplicated: 0, unexpected: 0 });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      /events_published_total\{exchange="note_events",routing_key="note.created"\} \d+/,
    );
    expect(metrics).toMatch(/events_consumed_total\{queue="echoes.note_events"\} \d+/);
  }, 120_000);
});
