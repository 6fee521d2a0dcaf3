import { Socket } from 'node:net';
import { defineConfig } from 'vitest/config';

/**
 * Projects:
 * - `pglite`: every test on in-memory PGlite and the in-memory bus; needs no service.
 * - `postgres`: the same tests again on real PostgreSQL, plus `*.pg.test.ts` (locking, concurrency).
 * - `rabbitmq`: `*.rabbit.test.ts`, the RabbitMQ bus and split processes, on PostgreSQL + RabbitMQ.
 * - `pgbouncer`: the saga, outbox and replica tests again with the apps' statements through PgBouncer
 *   in transaction mode (127.0.0.1:6433, `bash scripts/pgbouncer.sh start`), their sessions on
 *   PostgreSQL itself, prepared statements off.
 * - `architecture`: the module boundaries, import cycles and the platform's layers.
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
  'test/mail/mail-replicas.pg.test.ts',
  'test/rabbitmq/split-saga.rabbit.test.ts',
  'test/rabbitmq/process-faults.rabbit.test.ts',
];
const EVERYWHERE = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const ARCHITECTURE = ['test/architecture/**/*.test.ts'];

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
  const common = { testTimeout: 30_000, hookTimeout: 60_000, pool: 'forks' as const };
  const projects = [
    {
      test: {
        ...common,
        name: 'pglite',
        include: EVERYWHERE,
        exclude: [...SERVICE_TESTS, ...ARCHITECTURE, '**/node_modules/**'],
        env: { TEST_DATABASE: 'pglite' },
      },
    },
    { test: { ...common, name: 'architecture', include: ARCHITECTURE } },
  ];
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
        env: { TEST_DATABASE: 'postgres' },
        fileParallelism: false,
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
        fileParallelism: false,
      },
    } as (typeof projects)[number]);
  }
  return { test: { projects } };
});
