import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { productsModule } from '../../src/modules/products/index.js';
import { openDatabase } from '../../src/platform/db/database.js';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import { deadLetterTable } from '../../src/platform/events/inbox.js';
import { TEST_DATABASE } from '../helpers/services.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { moduleStatus, queueStatus } from './admin-events-client.js';
import { runEventsInProcess, runEventsScript } from './events-cli-run.js';
import { FLAKY_ERROR, flakyConsumer } from './flaky-consumer.js';

/** Real module queues, so that the CLI, which knows the real modules, sees them. */
const QUEUE = 'products.category_events';

/** Categories publish; products keeps its category read model through a handler that a test breaks. */
function catalog() {
  const flaky = flakyConsumer(productsModule, 'category_events');
  return { flaky, modules: [categoriesModule, flaky.module] };
}

async function createCategory(t: TestApp, name: string): Promise<number> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/categories',
    headers: await t.bearer({ id: 1, isStaff: true }),
    payload: { name },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

/** Whether the products module knows the category (its read model): a product can be put in it. */
async function productsKnow(t: TestApp, category: number): Promise<boolean> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/products',
    headers: await t.bearer({ id: 1, isStaff: true }),
    payload: {
      name: `Kibble ${category}`,
      description: 'dry food',
      price: '9.90',
      category,
      animal_type: 'dog',
    },
  });
  return response.statusCode === 201;
}

describe.runIf(TEST_DATABASE === 'postgres')('npm run events on PostgreSQL with the in-memory bus', () => {
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
    const [dogsId, catsId] = lines.slice(1).map((line) => line.split(/\s+/)[0]!);

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

describe.runIf(TEST_DATABASE === 'pglite')('npm run events on a PGlite data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-events-'));
  const testDatabase: TestDatabase = {
    url: '',
    open: () => openDatabase({ dataDir, poolSize: 1 }),
    async drop() {},
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when the server is stopped, then the CLI queues a replay that the next server start delivers', async () => {
    const before = catalog();
    const first = await buildTestApp({
      modules: before.modules,
      testDatabase,
      config: { DATA_DIR: dataDir },
    });
    const category = await createCategory(first, 'Birds');
    await first.settle();
    await first.close();

    const env = { DATA_DIR: dataDir, PORT: '1' };
    const listed = await runEventsScript(['dlq', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const { count, results } = JSON.parse(listed.stdout);
    expect(count).toBe(1);
    const replayed = await runEventsScript(['dlq', 'replay', results[0].id], env);
    expect(replayed).toMatchObject({ code: 0, stdout: 'replayed: 1\n' });
    expect(replayed.stderr).toContain('queued in the outbox');

    const after = catalog();
    after.flaky.control.failing = false;
    const second = await buildTestApp({
      modules: after.modules,
      testDatabase,
      config: { DATA_DIR: dataDir },
    });
    try {
      await second.settle();
      expect(after.flaky.control.applied.get(results[0].event_id)).toBe(1);
      expect(await productsKnow(second, category)).toBe(true);
    } finally {
      await second.close();
    }
    const status = await runEventsInProcess(['status', '--json'], {
      env: { DATA_DIR: dataDir, PORT: '1', DATABASE_URL: undefined },
    });
    expect(status.code).toBe(0);
    expect(queueStatus(JSON.parse(status.stdout), QUEUE)).toMatchObject({
      consumed: 1,
      dead_lettered: 0,
      replays_pending: 0,
    });
  }, 180_000);

  it('when a server answers on the configured port, then the CLI does not open the PGlite folder', async () => {
    const server = createServer((_request, response) => response.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((server.address() as AddressInfo).port);
      const run = await runEventsScript(['status'], { DATA_DIR: dataDir, PORT: port });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`a server answers on http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  }, 60_000);
});
