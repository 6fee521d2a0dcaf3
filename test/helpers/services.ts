/** Where the real services of this machine answer; tests may read the environment, src may not. */
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** PgBouncer in transaction mode in front of that PostgreSQL (`bash scripts/pgbouncer.sh start`). */
export const PGBOUNCER_URL = process.env.TEST_PGBOUNCER_URL ?? 'postgres://postgres@127.0.0.1:6433/postgres';
/** Set by the `pgbouncer` vitest project: the apps' statements go through PgBouncer. */
export const THROUGH_PGBOUNCER = process.env.TEST_THROUGH_PGBOUNCER === '1';
export const AMQP_ADMIN_URL = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const RABBITMQ_MANAGEMENT_URL =
  process.env.TEST_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672';

/** Which database the app tests of this vitest project run on. */
export const TEST_DATABASE: 'pglite' | 'postgres' =
  process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
