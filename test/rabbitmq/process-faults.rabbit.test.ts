import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import type { Delivery } from '../../src/platform/events/event-bus.js';
import { RabbitEventBus } from '../../src/platform/events/rabbitmq-bus.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { type FaultProcess, spawnFaultProcess } from './child-process.js';
import { postNotes, settledLedger } from './notes-ledger.js';
import { createVhost, silentLogger, type TestVhost } from './rabbit-broker.js';
import { TappedBus } from './tapped-bus.js';

const modules = [notesModule, echoesModule];

describe('the RabbitMQ bus when a process is killed mid-way', () => {
  let vhost: TestVhost;
  let testDatabase: TestDatabase;
  const open: (TestApp | FaultProcess)[] = [];

  beforeAll(async () => {
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
  });
  afterEach(async () => {
    for (const opened of open.splice(0)) await ('app' in opened ? opened.close() : opened.kill());
  });
  afterAll(async () => {
    await testDatabase?.drop();
    await vhost?.drop();
  });

  const app = async (hosted: string, bus?: TestApp['app']['platform']['events']['bus']) => {
    const t = await buildTestApp({
      modules,
      testDatabase,
      config: { AMQP_URL: vhost.url, MODULES: hosted },
      ...(bus ? { bus } : {}),
    });
    open.push(t);
    return t;
  };
  const child = (mode: string) => {
    const process = spawnFaultProcess(mode, {
      FAULT_DATABASE_CONFIG: JSON.stringify(testDatabase.config),
      FAULT_AMQP_URL: vhost.url,
    });
    open.push(process);
    return process;
  };
  const expectEachAppliedOnce = async (t: TestApp) => {
    const result = await settledLedger(t.database, 30_000);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(result.echoes).toBe(result.notes);
    return result;
  };

  it('when a process is killed between commit and publish, then a restarted one publishes each event once', async () => {
    const consumer = await app('echoes');
    const doomed = child('commit-then-die');
    await doomed.line(/^ready$/);
    await doomed.line(/^committed$/);
    await doomed.kill();

    const [left] = await queryRows<{ unsent: number; untried: number }>(
      consumer.database.db,
      sql`select count(*)::int as unsent, count(*) filter (where attempts = 0)::int as untried
          from platform.outbox where published_at is null`,
    );
    expect(left).toEqual({ unsent: 50, untried: 50 });

    await app('notes');
    expect(await expectEachAppliedOnce(consumer)).toMatchObject({ notes: 60 });
  }, 60_000);

  it('when a consumer is killed after its effect but before its ack, then the redelivery is skipped', async () => {
    const publisher = await app('notes');
    const doomed = child('apply-then-die');
    await doomed.line(/^ready$/);
    await postNotes(publisher, 30, { prefix: 'to a doomed consumer' });
    const applied = (await doomed.line(/^applied /)).split(' ')[1]!;
    await doomed.kill();

    const recorded = await queryRows<{ n: number }>(
      publisher.database.db,
      sql`select count(*)::int as n from platform.inbox where consumer = 'echoes.note_events' and event_id = ${applied}`,
    );
    expect(recorded[0]!.n).toBe(1);

    const seen: Delivery[] = [];
    const rabbit = new RabbitEventBus({
      url: vhost.url,
      maxAttempts: 3,
      retryDelayMs: 5,
      prefetch: 10,
      logger: silentLogger,
    });
    const restarted = await app('echoes', new TappedBus(rabbit, (delivery) => seen.push(delivery)));
    await expectEachAppliedOnce(restarted);
    const redelivered = seen.filter((delivery) => delivery.message.event_id === applied);
    expect(redelivered).toHaveLength(1);
    expect(redelivered[0]!.attempt).toBe(2);
  }, 60_000);
});
