/**
 * A process that dies at a chosen moment, for process-fault tests (run with `node --import tsx`):
 * - `commit-then-die`: hosts `notes`; commits 50 notes and their outbox rows in one transaction,
 *   then freezes before the relay hears of the commit, and waits for SIGKILL.
 * - `apply-then-die`: hosts `echoes`; after the 5th event's effect and inbox record have committed,
 *   freezes before the ack, and waits for SIGKILL.
 * It says `ready`, then `committed` or `applied <event_id>` on stdout.
 */
import { writeSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { buildApp } from '../../src/app.js';
import { databaseOptions, openDatabase, queryRows } from '../../src/platform/db/database.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { RabbitEventBus } from '../../src/platform/events/rabbitmq-bus.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { testConfig } from '../helpers/test-config.js';
import { silentLogger } from './rabbit-broker.js';
import { TappedBus } from './tapped-bus.js';

const [mode] = process.argv.slice(2);
const say = (line: string) => writeSync(1, `${line}\n`);
/** Blocks the event loop for good: nothing after this point runs, as if the process had died here. */
const freeze = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);

const config = testConfig({
  // The test database's DATABASE_URL (and its session URL through PgBouncer).
  ...(JSON.parse(process.env.FAULT_DATABASE_CONFIG ?? '{}') as Record<string, string>),
  AMQP_URL: process.env.FAULT_AMQP_URL,
  MODULES: mode === 'commit-then-die' ? 'notes' : 'echoes',
  // Only commits wake the relay, so nothing is published behind the test's back.
  OUTBOX_POLL_MS: 600_000,
});
const database = await openDatabase(databaseOptions(config, 4));

async function commitThenDie(): Promise<void> {
  let armed = false;
  // Registered before the app's relay, so it runs first after COMMIT and the relay never does.
  database.onCommit(() => {
    if (!armed) return;
    say('committed');
    freeze();
  });
  const app = await buildApp({ config, database, modules: [notesModule, echoesModule] });
  await app.ready();
  for (let n = 0; n < 10; n++) {
    await app.inject({ method: 'POST', url: '/api/notes', payload: { text: `before the crash ${n}` } });
  }
  const unpublished = async () =>
    (
      await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from platform.outbox where published_at is null`,
      )
    )[0]!.n;
  while ((await unpublished()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  say('ready');
  armed = true;
  await database.transaction(async (tx) => {
    for (let n = 0; n < 50; n++) {
      const [note] = await queryRows<{ id: number; text: string }>(
        tx,
        sql`insert into public.test_notes (text) values (${`committed, never published ${n}`}) returning id, text`,
      );
      await recordEvents(tx, [
        {
          exchange: 'note_events',
          routingKey: 'note.created',
          version: 1,
          payload: { note_id: note!.id, text: note!.text },
        },
      ]);
    }
  });
}

async function applyThenDie(): Promise<void> {
  let handled = 0;
  const rabbit = new RabbitEventBus({
    url: config.AMQP_URL!,
    maxAttempts: config.EVENT_MAX_ATTEMPTS,
    retryDelayMs: config.EVENT_RETRY_DELAY_MS,
    prefetch: config.EVENT_PREFETCH,
    logger: silentLogger,
  });
  const bus = new TappedBus(rabbit, (delivery) => {
    if (++handled < 5) return;
    say(`applied ${delivery.message.event_id}`);
    freeze();
  });
  const app = await buildApp({ config, database, modules: [notesModule, echoesModule], bus });
  await app.ready();
  say('ready');
}

if (mode === 'commit-then-die') await commitThenDie();
else if (mode === 'apply-then-die') await applyThenDie();
else throw new Error(`unknown mode ${mode}`);
