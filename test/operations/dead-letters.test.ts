import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { deadLetterTable } from '../../src/platform/events/inbox.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { ADMIN_EVENTS, adminEvents, moduleStatus, queueStatus } from './admin-events-client.js';
import { FLAKY_ERROR, flakyConsumer } from './flaky-consumer.js';
import { watchingConsumer } from './watching-consumer.js';

const QUEUE = 'echoes.note_events';

/**
 * The dead-letter life cycle on the in-memory bus (dead letters in `platform.dead_letters`), through
 * the admin API: park, look, mend, replay once, discard; the status follows every step.
 */
describe('dead letters on the in-memory bus', () => {
  let t: TestApp;
  const flaky = flakyConsumer(echoesModule, 'note_events');
  const watcher = watchingConsumer('watchers', 'note_events');
  let admin: ReturnType<typeof adminEvents>;

  beforeAll(async () => {
    t = await buildTestApp({ modules: [notesModule, flaky.module, watcher.module] });
    admin = adminEvents(t, await t.bearer({ id: 1, isStaff: true }));
  });
  afterAll(async () => t?.close());

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

  it('when a handler fails until it is mended, then its events are parked, listed, replayed once, and discarded, and the status counts each step', async () => {
    flaky.control.failing = true;
    const first = await writeNote('first');
    const second = await writeNote('second');
    await t.settle();

    let status = await admin.status();
    expect(status.bus).toBe('memory');
    expect(status.dead_letter_store).toBe('platform.dead_letters');
    expect(moduleStatus(status, 'notes').outbox).toMatchObject({ pending: 0, published: 2 });
    expect(moduleStatus(status, 'notes').outbox.oldest_pending_age_seconds).toBeNull();
    expect(queueStatus(status, QUEUE)).toEqual({
      queue: QUEUE,
      exchange: 'note_events',
      consumed: 0,
      dead_lettered: 2,
      replays_pending: 0,
    });

    const listed = await admin.list(`?queue=${QUEUE}`);
    expect(listed.count).toBe(2);
    // Both events may be delivered in one batch and fail side by side: parked in either order.
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
    const shown = await admin.show(parked!.id);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual(parked);

    flaky.control.failing = false;
    const replayed = await admin.replay(parked!.id);
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual({ replayed: 1, skipped: 0 });
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);
    const redelivered = flaky.control.deliveries.filter((entry) => entry.eventId === parked!.event_id);
    expect(redelivered.map((entry) => entry.attempt)).toEqual([1, 2, 3, 1]);
    expect(redelivered.at(-1)).toMatchObject({ routingKey: 'note.created', exchange: 'note_events' });
    expect(watcher.seen.filter((eventId) => eventId === parked!.event_id)).toHaveLength(1);
    status = await admin.status();
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 1, replays_pending: 0 });
    expect(moduleStatus(status, 'notes').outbox).toMatchObject({ pending: 0, published: 2 });

    const again = await admin.replay(parked!.id);
    expect(again.statusCode).toBe(404);
    expect(again.json().code).toBe('EVENTS.DEAD_LETTER_NOT_FOUND');
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);

    const discarded = await admin.discard(other!.id);
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json()).toEqual({ discarded: 1 });
    expect((await admin.show(other!.id)).statusCode).toBe(404);
    await t.settle();
    expect(await echoes()).toEqual([{ note_id: first, text: 'first', times: 1 }]);
    status = await admin.status();
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 0, replays_pending: 0 });
    expect(queueStatus(status, 'watchers.note_events')).toMatchObject({ consumed: 2, dead_lettered: 0 });
    expect(status.totals).toMatchObject({ pending: 0, published: 2, consumed: 3, dead_lettered: 0 });
    expect(await admin.list()).toMatchObject({ count: 0, results: [] });
  });

  it('when a copy of an event that was already applied is parked and replayed, then the inbox applies nothing twice', async () => {
    flaky.control.failing = false;
    const note = await writeNote('applied already');
    await t.settle();
    const [row] = await queryRows<{ message: { event_id: string } }>(
      t.database.db,
      sql`select message from platform.outbox where exchange = 'note_events' order by id desc limit 1`,
    );
    const message = row!.message as Parameters<ReturnType<typeof deadLetterTable>>[0]['message'];
    // What a crash between a replay's commit and the removal of its copy would leave behind.
    const park = deadLetterTable(t.database);
    const copy = {
      queue: QUEUE,
      exchange: 'note_events',
      routingKey: 'note.created',
      message,
      error: 'x',
      attempts: 3,
    };
    await park(copy);
    await park(copy);

    const replayed = await admin.replay(`${QUEUE}:${message.event_id}`);
    expect(replayed.json()).toEqual({ replayed: 1, skipped: 0 });
    await t.settle();
    expect((await echoes()).find((echo) => echo.note_id === note)?.times).toBe(1);
    expect(flaky.control.applied.get(message.event_id)).toBe(1);
    expect(queueStatus(await admin.status(), QUEUE).dead_lettered).toBe(0);
  });

  it('when a whole queue is replayed while the handler still fails, then each message is tried anew once and parked again, never looped', async () => {
    flaky.control.failing = true;
    for (const text of ['a', 'b', 'c']) await writeNote(text);
    await t.settle();
    expect(queueStatus(await admin.status(), QUEUE).dead_lettered).toBe(3);
    const before = flaky.control.deliveries.length;

    const oldest = await admin.replayQueue({ queue: QUEUE });
    expect(oldest.json()).toEqual({ replayed: 1, skipped: 0 });
    await t.settle();
    const all = await admin.replayQueue({ queue: QUEUE, all: true });
    expect(all.json()).toEqual({ replayed: 3, skipped: 0 });
    await t.settle();

    expect(flaky.control.deliveries.length - before).toBe(4 * 3);
    const parked = await admin.list(`?queue=${QUEUE}`);
    expect(parked.count).toBe(3);
    expect(parked.results.every((entry) => entry.attempts === 3)).toBe(true);

    const dropped = await admin.discardQueue(`?queue=${QUEUE}&all=true`);
    expect(dropped.json()).toEqual({ discarded: 3 });
    expect(queueStatus(await admin.status(), QUEUE).dead_lettered).toBe(0);
  });

  it('when dead letters are parked, then /metrics shows how many per queue', async () => {
    flaky.control.failing = true;
    await writeNote('for the gauge');
    await t.settle();
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(`events_dead_letters{queue="${QUEUE}"} 1`);
    await admin.discardQueue(`?queue=${QUEUE}&all=true`);
    const after = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(after.body).toContain(`events_dead_letters{queue="${QUEUE}"} 0`);
  });

  it('when the requests are wrong, then they answer 400 or 404 with a stable code', async () => {
    const unknownQueue = await admin.call('GET', '/dead-letters?queue=nobody.nothing');
    expect(unknownQueue.statusCode).toBe(400);
    expect(unknownQueue.json().code).toBe('EVENTS.UNKNOWN_QUEUE');
    expect((await admin.call('GET', '/dead-letters?sort=age')).statusCode).toBe(400);
    expect((await admin.show('no-colon')).json().code).toBe('EVENTS.DEAD_LETTER_NOT_FOUND');
    expect((await admin.show(`${QUEUE}:not-a-uuid`)).statusCode).toBe(404);
    expect((await admin.discardQueue(`?queue=${QUEUE}`)).statusCode).toBe(400);
    expect((await admin.discardQueue(`?queue=${QUEUE}&all=false`)).statusCode).toBe(400);
    expect((await admin.replayQueue({ queue: QUEUE, all: true, limit: 2 })).statusCode).toBe(400);
    expect((await admin.replayQueue({ queue: QUEUE, every: true })).statusCode).toBe(400);
    expect((await admin.replayQueue({ queue: 'nobody.nothing', all: true })).json().code).toBe(
      'EVENTS.UNKNOWN_QUEUE',
    );
    const withBody = await admin.call('POST', `/dead-letters/${QUEUE}:x/replay`, { force: true });
    expect(withBody.statusCode).toBe(400);
  });

  it('when anyone but staff calls an admin route, then anonymous gets 401 and a customer 403, on every route', async () => {
    const routes = t.app.platform.routes.filter((route) => route.url.startsWith(ADMIN_EVENTS));
    expect(routes.map((route) => `${route.method} ${route.url.slice(ADMIN_EVENTS.length)}`).sort()).toEqual([
      'DELETE /dead-letters',
      'DELETE /dead-letters/:id',
      'GET /dead-letters',
      'GET /dead-letters/:id',
      'GET /status',
      'POST /dead-letters/:id/replay',
      'POST /dead-letters/replay',
    ]);
    const customer = await t.bearer({ id: 2 });
    for (const route of routes) {
      const url = route.url.replace(':id', `${QUEUE}:00000000-0000-4000-8000-000000000000`);
      const method = route.method as 'GET' | 'POST' | 'DELETE';
      const payload = route.url.endsWith('/dead-letters/replay') ? { queue: QUEUE, all: true } : undefined;
      const anonymous = await t.app.inject({ method, url, ...(payload ? { payload } : {}) });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      const forbidden = await t.app.inject({
        method,
        url,
        headers: customer,
        ...(payload ? { payload } : {}),
      });
      expect(forbidden.statusCode, `${method} ${url}`).toBe(403);
      expect(forbidden.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('when the API reference is read, then every admin route is there under operations, with its schemas', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    const paths = Object.keys(document.paths).filter((path) => path.startsWith(ADMIN_EVENTS));
    expect(paths.sort()).toEqual(
      [
        '/api/admin/events/dead-letters',
        '/api/admin/events/dead-letters/replay',
        '/api/admin/events/dead-letters/{id}',
        '/api/admin/events/dead-letters/{id}/replay',
        '/api/admin/events/status',
      ].sort(),
    );
    for (const path of paths) {
      for (const operation of Object.values(document.paths[path]) as {
        tags: string[];
        responses: object;
      }[]) {
        expect(operation.tags).toEqual(['operations']);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401', '403']));
      }
    }
  });
});
