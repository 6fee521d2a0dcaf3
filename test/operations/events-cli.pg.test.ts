import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import { deadLetterTable } from '../../src/platform/events/inbox.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../platform/bus-contract.js';
import { moduleStatus, queueStatus } from './admin-events-client.js';
import { catalog, createCategory, productsKnow, QUEUE } from './events-cli-catalog.js';
import { runEventsInProcess, runEventsScript } from './events-cli-run.js';
import { FLAKY_ERROR } from './flaky-consumer.js';

describe('npm run events on PostgreSQL with the in-memory bus', () => {
  let t: TestApp;
  const { flaky, modules } = catalog();
  let env: Record<string, string>;
  const cli = (...args: string[]) => runEventsScript(args, env);

  beforeAll(async () => {
    t = await buildTestApp({ modules });
    env = { DATABASE_URL: t.testDatabase.url };
  });
  afterAll(async () => t?.close());

  it('when a consumer fails until it is mended, then the CLI lists, shows, replays once, discards, and counts', async () => {
    flaky.control.failing = true;
    const dogs = await createCategory(t, 'Dogs');
    await createCategory(t, 'Cats');
    await t.settle();

    const table = await cli('status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^bus: memory {4}dead letters kept in: platform\.dead_letters$/m);
    expect(table.stdout).toMatch(/^categories\s+category_events\s+0\s+-\s+2$/m);
    expect(table.stdout).toMatch(/^products\.category_events\s+0\s+2\s+0$/m);

    const listed = await cli('dlq', 'list', '--queue', QUEUE);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+QUEUE\s+EVENT\s+ROUTING KEY\s+ERROR\s+TRIES\s+PARKED AT$/);
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(
        new RegExp(`^${QUEUE}:[0-9a-f-]{36}\\s+${QUEUE}\\s+category_created\\s+category\\.created`),
      );
      expect(line).toContain(FLAKY_ERROR);
      expect(line).toMatch(/\s3\s+\d{4}-\d\d-\d\dT/);
    }
    // Each event is retried and parked on its own, so the two may be parked in either order.
    const listedJson = await cli('dlq', 'list', '--queue', QUEUE, '--json');
    const parked: { id: string; message: { name: string } }[] = JSON.parse(listedJson.stdout).results;
    expect(
      lines
        .slice(1)
        .map((line) => line.split(/\s+/)[0])
        .sort(),
    ).toEqual(parked.map((p) => p.id).sort());
    const dogsId = parked.find((p) => p.message.name === 'Dogs')?.id;
    const catsId = parked.find((p) => p.message.name === 'Cats')?.id;

    const shown = await cli('dlq', 'show', dogsId!);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      id: dogsId,
      queue: QUEUE,
      exchange: 'category_events',
      routing_key: 'category.created',
      attempts: 3,
      message: { category_id: dogs, name: 'Dogs', event: 'category_created' },
    });
    expect(await productsKnow(t, dogs)).toBe(false);

    flaky.control.failing = false;
    const replayed = await cli('dlq', 'replay', dogsId!);
    expect(replayed).toMatchObject({ code: 0, stdout: 'replayed: 1\n' });
    const eventId = dogsId!.slice(QUEUE.length + 1);
    await eventually(() => flaky.control.applied.get(eventId) === 1, 20_000);
    await t.settle();
    expect(await productsKnow(t, dogs)).toBe(true);

    const again = await cli('dlq', 'replay', dogsId!);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('replayed: 0\n');
    expect(again.stderr).toContain(`No dead letter ${dogsId}`);
    await t.settle();
    expect(flaky.control.applied.get(eventId)).toBe(1);

    expect((await cli('dlq', 'discard', catsId!)).code).toBe(2);
    const discarded = await cli('dlq', 'discard', catsId!, '--yes');
    expect(discarded).toMatchObject({ code: 0, stdout: 'discarded: 1\n' });
    expect((await cli('dlq', 'show', catsId!)).code).toBe(1);

    const json = await cli('status', '--json');
    expect(json.code).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(queueStatus(status, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 0, replays_pending: 0 });
    expect(moduleStatus(status, 'categories').outbox).toMatchObject({ pending: 0, published: 2 });
    expect((await cli('dlq', 'list')).stdout).toBe('no dead letters\n');
  }, 300_000);

  it('when the queue is unknown or the database is down, then the CLI says so and exits 2 or 1', async () => {
    const unknown = await runEventsInProcess(['dlq', 'list', '--queue', 'nobody.nothing'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No consumer queue nobody.nothing');
    const down = await runEventsInProcess(['status'], {
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: /);
  });

  it('when an operator at a terminal discards or replays many, then a prompt asks first and a bar shows progress', async () => {
    const park = deadLetterTable(t.database);
    for (let n = 0; n < 25; n++) {
      const message = createEnvelope('category.created', 1, {
        category_id: 10_000 + n,
        name: `c${n}`,
        parent_id: null,
      });
      await park({
        queue: QUEUE,
        exchange: 'category_events',
        routingKey: 'category.created',
        message,
        error: 'x',
        attempts: 3,
      });
    }
    const declined = await runEventsInProcess(['dlq', 'discard', '--queue', QUEUE, '--all'], {
      env,
      tty: true,
      answer: 'n',
    });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain(`Discard all 25 dead letter(s) parked in ${QUEUE}?`);
    expect(declined.stderr).toContain('cancelled');

    flaky.control.failing = true;
    const replayed = await runEventsInProcess(['dlq', 'replay', '--queue', QUEUE, '--limit', '20'], {
      env,
      tty: true,
    });
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe('replayed: 20\n');
    expect(replayed.stderr).toContain('replaying [');
    expect(replayed.stderr).toContain('20/20');
    await t.settle();

    const accepted = await runEventsInProcess(['dlq', 'discard', '--queue', QUEUE, '--all'], {
      env,
      tty: true,
      answer: 'yes',
    });
    expect(accepted).toMatchObject({ code: 0, stdout: 'discarded: 25\n' });
    expect(accepted.stderr).toContain('discarding [');
  }, 120_000);
});
