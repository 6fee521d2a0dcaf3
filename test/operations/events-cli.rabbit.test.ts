import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { productsModule } from '../../src/modules/products/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { createVhost, queueDepth, type TestVhost } from '../rabbitmq/rabbit-broker.js';
import { queueStatus } from './admin-events-client.js';
import { runEventsScript } from './events-cli-run.js';
import { flakyConsumer } from './flaky-consumer.js';

const QUEUE = 'products.category_events';

describe('npm run events on PostgreSQL and RabbitMQ', () => {
  let vhost: TestVhost;
  let testDatabase: TestDatabase;
  let t: TestApp;
  const flaky = flakyConsumer(productsModule, 'category_events');
  let env: Record<string, string>;
  const cli = (...args: string[]) => runEventsScript(args, env);

  beforeAll(async () => {
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
    t = await buildTestApp({
      modules: [categoriesModule, flaky.module],
      testDatabase,
      config: { AMQP_URL: vhost.url, EVENT_MAX_ATTEMPTS: 3 },
    });
    env = { DATABASE_URL: testDatabase.url, AMQP_URL: vhost.url };
  });
  afterAll(async () => {
    await t?.close();
    await testDatabase?.drop();
    await vhost?.drop();
  });

  it('when a consumer fails until it is mended, then the CLI lists the dlq without taking it, replays once and counts', async () => {
    flaky.control.failing = true;
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/categories',
      headers: await t.bearer({ id: 1, isStaff: true }),
      payload: { name: 'Fish' },
    });
    expect(response.statusCode).toBe(201);
    await eventually(async () => (await queueDepth(vhost.url, `${QUEUE}.dlq`)) === 1, 20_000);

    const listed = await cli('dlq', 'list', '--json');
    expect(listed.code).toBe(0);
    const { count, results } = JSON.parse(listed.stdout);
    expect(count).toBe(1);
    expect(results[0]).toMatchObject({ queue: QUEUE, routing_key: 'category.created', attempts: 3 });
    expect(await queueDepth(vhost.url, `${QUEUE}.dlq`)).toBe(1);

    flaky.control.failing = false;
    expect(await cli('dlq', 'replay', '--queue', QUEUE, '--all')).toMatchObject({
      code: 0,
      stdout: 'replayed: 1\n',
    });
    await eventually(() => flaky.control.applied.get(results[0].event_id) === 1, 20_000);
    expect(await queueDepth(vhost.url, `${QUEUE}.dlq`)).toBe(0);
    expect(await cli('dlq', 'replay', results[0].id)).toMatchObject({ code: 1, stdout: 'replayed: 0\n' });

    const status = await cli('status', '--json');
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.stdout);
    expect(parsed).toMatchObject({ bus: 'rabbitmq', dead_letter_store: 'rabbitmq <queue>.dlq' });
    expect(queueStatus(parsed, QUEUE)).toMatchObject({ consumed: 1, dead_lettered: 0, replays_pending: 0 });
    expect(flaky.control.applied.get(results[0].event_id)).toBe(1);
  }, 300_000);

  it('when RabbitMQ cannot be reached, then the CLI says so and exits 1', async () => {
    const run = await runEventsScript(['status'], { ...env, AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('RabbitMQ cannot be reached');
  }, 120_000);
});
