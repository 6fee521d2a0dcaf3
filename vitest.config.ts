import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Projects:
 * - `postgres`: every app test on a real PostgreSQL database, plus `*.pg.test.ts` (locking,
 *   concurrency).
 * - `pglite`: the engine-free tests (`*.unit.test.ts`, the browser) and, on in-memory PGlite and the
 *   in-memory bus, the suites where the embedded engine takes its own paths (ENGINE_PARITY: the
 *   platform's database and event runtime, the saga end to end, each module's main suite, the
 *   operator tools, mail, seed). When PostgreSQL does not answer (a machine with nothing installed),
 *   it runs every app test instead, so `npm test` still tests everything it can.
 * - `quick` (`npm run test:quick`, not part of `npm test`): the inner loop — unit tests, the saga and
 *   each module's main suite on PGlite, in about a minute.
 * - `rabbitmq`: `*.rabbit.test.ts`, the RabbitMQ bus and split processes, on PostgreSQL + RabbitMQ.
 * - `broker-outage`: the test that stops the whole RabbitMQ broker, after the others, beside
 *   `spawning`: the engine-free tests that start processes (the server, the seed, the CLI), which
 *   need no broker and keep the other cores busy while the outage waits.
 * - `pgbouncer`: the saga, outbox and replica tests again with the apps' statements through PgBouncer
 *   in transaction mode (127.0.0.1:6433, `bash scripts/pgbouncer.sh start`), their sessions on
 *   PostgreSQL itself, prepared statements off.
 * - `architecture`: the module boundaries, import cycles and the platform's layers.
 * Files run three at a time on this 2-core machine (`maxWorkers: 3`: the tests mostly wait on
 * PostgreSQL, RabbitMQ, argon2 and child processes; 5 min 30 s with two, 4 min 53 s with three), and a worker keeps its imports from one file to the next (`isolate: false`: the app's
 * modules are loaded once per worker instead of once per file, which was a third of the run; every
 * file builds its own app, database and vhost, and no test replaces a module; PgBouncer pools per
 * database). Only `broker-outage` and `spawning` run after the others.
 * Without CI, projects whose services do not answer are left out (and said so); with CI=true they
 * always run, so a missing service fails the run.
 */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.connect(port, '127.0.0.1');
  });
}

const SERVICE_TESTS = ['**/*.pg.test.ts', '**/*.rabbit.test.ts'];
/** What must work behind a transaction-mode pooler: the checkout saga, the outbox and relay, replicas. */
const THROUGH_PGBOUNCER = [
  'test/saga/checkout-saga.test.ts',
  'test/saga/oversell.pg.test.ts',
  'test/platform/outbox-inbox.test.ts',
  'test/platform/outbox-relay.pg.test.ts',
  'test/platform/event-lane.pg.test.ts',
  'test/rabbitmq/split-saga.rabbit.test.ts',
  'test/rabbitmq/process-faults.rabbit.test.ts',
];
/** Stops the whole broker (`rabbitmqctl stop_app`): runs alone, after the files that use RabbitMQ. */
const BROKER_WIDE = ['test/rabbitmq/broker-faults.rabbit.test.ts'];
const EVERYWHERE = ['src/**/*.test.ts', 'test/**/*.test.ts'];
/** Each module's main suite: its routes and events end to end. */
const MODULE_SUITES = [
  'test/cart/cart.test.ts',
  'test/categories/categories.test.ts',
  'test/orders/orders.test.ts',
  'test/products/products.test.ts',
  'test/reviews/reviews-crud.test.ts',
  'test/users/addresses.test.ts',
  'test/users/profile.test.ts',
  'test/users/sessions.test.ts',
];
/**
 * What runs on PGlite too when PostgreSQL is there: where the embedded engine takes paths of its own
 * (one connection, in-process locks and notifications for the relay, its own driver and migrator,
 * the data-dir lock, its pg_trgm), the saga through every module, and each module's main suite, so
 * that every repository's statements run on both drivers.
 */
const ENGINE_PARITY = [
  'src/**/*.test.ts',
  'test/platform/**/*.test.ts',
  'test/operations/**/*.test.ts',
  'test/mail/**/*.test.ts',
  'test/seed/**/*.test.ts',
  'test/saga/**/*.test.ts',
  'test/products/search-index.test.ts',
  'test/products/listing.test.ts',
  'test/products/category-subtree.test.ts',
  'test/products/product-view.test.ts',
  'test/users/bootstrap.test.ts',
  ...MODULE_SUITES,
];
/** Unit tests that start child processes: seconds each, so not in the quick loop. */
const SPAWNING = [
  'test/platform/data-dir-owner.unit.test.ts',
  'test/platform/production-start.unit.test.ts',
  'test/platform/server-process.unit.test.ts',
  'test/operations/events-cli-*.unit.test.ts',
];
const UNIT_TESTS = ['src/**/*.unit.test.ts', 'test/**/*.unit.test.ts', 'test/browser/**/*.test.ts'];
const ARCHITECTURE = ['test/architecture/**/*.test.ts'];

/**
 * The longest files (measured), started first: vitest otherwise hands out files project by project
 * in name order, and the database fault suite (a minute of outages) ran on alone at the end.
 */
const LONGEST_FIRST = [
  'test/resilience/database-faults.rabbit.test.ts',
  // First of the late group: it mostly waits on the broker, beside the spawning files.
  'test/rabbitmq/broker-faults.rabbit.test.ts',
  'test/platform/data-dir-owner.unit.test.ts',
  'test/platform/server-process.unit.test.ts',
  'test/platform/production-start.unit.test.ts',
  'test/operations/events-cli.pg.test.ts',
  'test/operations/events-cli-pglite.unit.test.ts',
  'test/operations/events-cli.rabbit.test.ts',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((path) => spec.moduleId.endsWith(path));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    const group = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    return sorted
      .map((spec, index) => ({ spec, index }))
      .sort((a, b) => group(a.spec) - group(b.spec) || rank(a.spec) - rank(b.spec) || a.index - b.index)
      .map(({ spec }) => spec);
  }
}

export default defineConfig(async () => {
  const required = process.env.CI === 'true' || process.env.CI === '1';
  const postgres = required || (await answers(5432));
  const rabbitmq = required || (await answers(5672));
  const pgbouncer = required || (await answers(6433));
  if (!postgres)
    console.warn('PostgreSQL is not answering on 127.0.0.1:5432: the postgres project is skipped');
  if (!rabbitmq) console.warn('RabbitMQ is not answering on 127.0.0.1:5672: the rabbitmq project is skipped');
  if (!pgbouncer)
    console.warn(
      'PgBouncer is not answering on 127.0.0.1:6433 (bash scripts/pgbouncer.sh start): the pgbouncer project is skipped',
    );
  const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const, isolate: false };
  // With the broker-wide outage running, the other workers take the files that start processes and
  // need no broker (`late`): the outage's minute of waiting is no longer a minute of one core idle.
  const late = postgres && rabbitmq;
  const projects = [
    {
      test: {
        ...common,
        name: 'pglite',
        include: postgres ? [...UNIT_TESTS, ...ENGINE_PARITY] : EVERYWHERE,
        exclude: [...SERVICE_TESTS, ...ARCHITECTURE, ...(late ? SPAWNING : []), '**/node_modules/**'],
        env: { TEST_DATABASE: 'pglite' },
      },
    },
    { test: { ...common, name: 'architecture', include: ARCHITECTURE } },
  ];
  if (process.env.VITEST_QUICK === '1')
    projects.push({
      test: {
        ...common,
        name: 'quick',
        include: [
          ...UNIT_TESTS,
          'test/saga/checkout-saga.test.ts',
          ...MODULE_SUITES.filter((suite) => suite !== 'test/users/sessions.test.ts'),
        ],
        // Not the ones that start processes (the server, the CLI): `npm test` runs those.
        exclude: [...SERVICE_TESTS, ...SPAWNING, 'test/browser/**', '**/node_modules/**'],
        env: { TEST_DATABASE: 'pglite' },
      },
    });
  if (postgres) {
    projects.push({
      test: {
        ...common,
        name: 'postgres',
        include: EVERYWHERE,
        exclude: [
          '**/*.rabbit.test.ts',
          '**/*.unit.test.ts',
          'test/browser/**',
          ...ARCHITECTURE,
          '**/node_modules/**',
        ],
        env: { TEST_DATABASE: 'postgres' },
      },
    } as (typeof projects)[number]);
  }
  if (postgres && rabbitmq) {
    projects.push({
      test: {
        ...common,
        name: 'rabbitmq',
        include: ['src/**/*.rabbit.test.ts', 'test/**/*.rabbit.test.ts'],
        exclude: [...BROKER_WIDE, '**/node_modules/**'],
        env: { TEST_DATABASE: 'postgres' },
      },
    } as (typeof projects)[number]);
  }
  if (late) {
    projects.push({
      test: {
        ...common,
        name: 'broker-outage',
        include: BROKER_WIDE,
        env: { TEST_DATABASE: 'postgres' },
        sequence: { groupOrder: 1 },
      },
    } as (typeof projects)[number]);
    projects.push({
      test: {
        ...common,
        name: 'spawning',
        include: SPAWNING,
        env: { TEST_DATABASE: 'pglite' },
        sequence: { groupOrder: 1 },
      },
    } as (typeof projects)[number]);
  }
  if (postgres && rabbitmq && pgbouncer) {
    projects.push({
      test: {
        ...common,
        name: 'pgbouncer',
        include: THROUGH_PGBOUNCER,
        env: { TEST_DATABASE: 'postgres', TEST_THROUGH_PGBOUNCER: '1' },
      },
    } as (typeof projects)[number]);
  }
  return { test: { projects, maxWorkers: 3, sequence: { sequencer: LongestFirst } } };
});
