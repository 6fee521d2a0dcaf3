import { connect } from 'amqplib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { createVhost, peekQueue, queueDepth, type TestVhost } from '../rabbitmq/rabbit-broker.js';
import { adminEvents, moduleStatus, queueStatus } from './admin-events-client.js';
import { FLAKY_ERROR, flakyConsumer } from './flaky-consumer.js';
import { watchingConsumer } from './watching-consumer.js';

const QUEUE = 'echoes.note_events';
const DLQ = `${QUEUE}.dlq`;

/**
 * The dead-letter life cycle on RabbitMQ (dead letters in `<queue>.dlq`), through the admin API, on
 * its own vhost and database.
 */
describe('dead letters on RabbitMQ', () => {
  let vhost: TestVhost;
  let testDatabase: TestDatabase;
  let t: TestApp;
  const flaky = flakyConsumer(echoesModule, 'note_events');
  const watcher = watchingConsumer('watchers', 'note_events');
  let admin: ReturnType<typeof adminEvents>;

  beforeAll(async () => {
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
    t = await buildTestApp({
      modules: [notesModule, flaky.module, watcher.module],
      testDatabase,
      config: { AMQP_URL: vhost.url, EVENT_MAX_ATTEMPTS: 3, EVENT_PREFETCH: 1 },
    });
    admin = adminEvents(t, await t.bearer({ id: 1, isStaff: true }));
  });
  afterAll(async () => {
    await t?.close();
    await testDatabase?.drop();
    await vhost?.drop();
  });

  const writeNote = async (text: string): Promise<number> => {
    const response = await t.app.inject({ method: 'POST', url: '/api/notes', payload: { text } });
    expect(response.statusCode).toBe(201);
    return response.json().id;
  };
  const echoes = () =>
    queryRows<{ note_id: number; text: string; times: number }>(
      t.database.db,
      sql`select note_id, text, times from public.test_echoes order by note_id`,
    );
  const parkedCount = async () => queueStatus(await admin.status(), QUEUE).dead_lettered;

  it('when a handler fails until it is mended, then its events are parked in the dlq, listed without being taken, replayed once, and discarded', async () => {
    flaky.control.failing = true;
    const first = await writeNote('first');
    const second = await writeNote('second');
    await eventually(async () => (await parkedCount()) === 2, 20_000);
    await eventually(() => watcher.seen.length === 2);

    let status = await admin.status();
    expect(status.bus).toBe('rabbitmq');
    expect(moduleStatus(status, 'notes').outbox).toMatchObject({ pending: 0, published: 2 });
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 0, dead_lettered: 2, replays_pending: 0 });

    const listed = await admin.list(`?queue=${QUEUE}`);
    expect(listed.count).toBe(2);
    // Both events may be delivered together and fail side by side: parked in either order.
    const byNote = (note: number) =>
      listed.results.find((entry) => (entry.message as { note_id?: number }).note_id === note);
    const [parked, other] = [byNote(first), byNote(second)];
    expect([parked?.message, other?.message]).toMatchObject([
      { note_id: first, text: 'first' },
      { note_id: second, text: 'second' },
    ]);
    expect(parked).toMatchObject({
      id: `${QUEUE}:${parked!.event_id}`,
      queue: QUEUE,
      exchange: 'note_events',
      routing_key: 'note.created',
      event: 'note_created',
      error: FLAKY_ERROR,
      attempts: 3,
    });
    expect(Date.parse(parked!.parked_at!)).toBeGreaterThan(Date.now() - 60_000);
    // Looking takes nothing away and keeps the order.
    expect(await queueDepth(vhost.url, DLQ)).toBe(2);
    expect((await admin.list(`?queue=${QUEUE}`)).results).toEqual(listed.results);
    expect((await admin.show(other!.id)).json()).toEqual(other);
    expect((await admin.list(`?queue=${QUEUE}&limit=1&page=2`)).results).toEqual([other]);

    flaky.control.failing = false;
    const replayed = await admin.replay(parked!.id);
    expect(replayed.json()).toEqual({ replayed: 1, skipped: 0 });
    await eventually(async () => (await echoes()).length === 1, 20_000);
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);
    const redelivered = flaky.control.deliveries.filter((entry) => entry.eventId === parked!.event_id);
    expect(redelivered.map((entry) => entry.attempt)).toEqual([1, 2, 3, 1]);
    expect(redelivered.at(-1)).toMatchObject({ routingKey: 'note.created', exchange: 'note_events' });
    expect(watcher.seen.filter((eventId) => eventId === parked!.event_id)).toHaveLength(1);
    status = await admin.status();
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 1, replays_pending: 0 });
    expect((await peekQueue(vhost.url, DLQ)).map((message) => message.properties.messageId)).toEqual([
      other!.event_id,
    ]);

    const again = await admin.replay(parked!.id);
    expect(again.statusCode).toBe(404);
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);

    expect((await admin.discard(other!.id)).json()).toEqual({ discarded: 1 });
    expect(await queueDepth(vhost.url, DLQ)).toBe(0);
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);
    status = await admin.status();
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 0, replays_pending: 0 });
    expect(queueStatus(status, 'watchers.note_events')).toMatchObject({ consumed: 2, dead_lettered: 0 });
  }, 60_000);

  it('when a copy of an applied event is still parked and replayed, then the inbox applies nothing twice', async () => {
    flaky.control.failing = false;
    const note = await writeNote('applied already');
    await eventually(async () => (await echoes()).some((echo) => echo.note_id === note), 20_000);
    const [row] = await queryRows<{ message: { event_id: string } }>(
      t.database.db,
      sql`select message from platform.outbox where exchange = 'note_events' order by id desc limit 1`,
    );
    // What a crash between a replay's commit and its ack would leave in the dlq.
    const connection = await connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(DLQ, Buffer.from(JSON.stringify(row!.message)), {
      messageId: row!.message.event_id,
      headers: {
        'x-queue': QUEUE,
        'x-exchange': 'note_events',
        'x-routing-key': 'note.created',
        'x-attempts': 3,
      },
    });
    await channel.waitForConfirms();
    await connection.close();

    expect((await admin.replay(`${QUEUE}:${row!.message.event_id}`)).json()).toEqual({
      replayed: 1,
      skipped: 0,
    });
    await t.settle();
    await eventually(async () => (await admin.status()).totals.replays_pending === 0);
    expect((await echoes()).find((echo) => echo.note_id === note)?.times).toBe(1);
    expect(flaky.control.applied.get(row!.message.event_id)).toBe(1);
  }, 60_000);

  it('when a parked message is not an event, then it is shown raw, cannot be replayed, is left by a queue replay, and can be discarded', async () => {
    flaky.control.failing = true;
    await writeNote('parked with garbage');
    await eventually(async () => (await parkedCount()) === 1, 20_000);
    const connection = await connect(vhost.url);
    const channel = await connection.createConfirmChannel();
    channel.sendToQueue(DLQ, Buffer.from('not json'), {
      messageId: 'garbage',
      headers: { 'x-error': 'bad' },
    });
    await channel.waitForConfirms();
    await connection.close();

    const garbage = (await admin.list(`?queue=${QUEUE}`)).results.find(
      (entry) => entry.event_id === 'garbage',
    );
    expect(garbage).toMatchObject({ id: `${QUEUE}:garbage`, message: 'not json', event: null, error: 'bad' });
    const refused = await admin.replay(garbage!.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('EVENTS.NOT_REPLAYABLE');

    flaky.control.failing = false;
    expect((await admin.replayQueue({ queue: QUEUE, all: true })).json()).toEqual({
      replayed: 1,
      skipped: 1,
    });
    await t.settle();
    expect((await admin.list(`?queue=${QUEUE}`)).results.map((entry) => entry.id)).toEqual([garbage!.id]);
    expect((await admin.discardQueue(`?queue=${QUEUE}&all=true`)).json()).toEqual({ discarded: 1 });
    expect(await queueDepth(vhost.url, DLQ)).toBe(0);
    expect((await echoes()).every((echo) => echo.times === 1)).toBe(true);
  }, 60_000);

  it('when dead letters are parked, then /metrics reads their number from the dlq', async () => {
    flaky.control.failing = true;
    await writeNote('for the gauge');
    await eventually(async () => (await parkedCount()) === 1, 20_000);
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`events_dead_letters{queue="${QUEUE}"} 1`);
    expect(metrics.body).toContain('events_dead_letters{queue="watchers.note_events"} 0');
    await admin.discardQueue(`?queue=${QUEUE}&all=true`);
  }, 60_000);

  it('when a customer or nobody calls the admin routes on RabbitMQ too, then 403 and 401', async () => {
    const customer = await t.bearer({ id: 2 });
    for (const headers of [{}, customer]) {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/events/status', headers });
      expect(response.statusCode).toBe('authorization' in headers ? 403 : 401);
    }
  });
});
