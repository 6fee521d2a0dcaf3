import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, startServer } from '../helpers/server-process.js';
import { POSTGRES_ADMIN_URL } from '../helpers/services.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { createVhost, type TestVhost } from '../rabbitmq/rabbit-broker.js';
import { readLedger, settled } from './shop-ledger.js';
import { ADMIN, call, checkoutBurst, setUpShop, Tally } from './shop-over-http.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two replicas — real server processes on one PostgreSQL database and one RabbitMQ vhost — under
 * a checkout burst while the database fails as managed databases do: its backends terminated, or
 * no connection accepted for 30 s. No process may exit, no request may hang, and every accepted
 * checkout must end as exactly one order with the stock balanced and nothing dead-lettered.
 */
describe('two replicas when the database fails under a checkout burst', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  async function environment(options: { throughProxy?: boolean } = {}) {
    const database: TestDatabase = await createPostgresDatabase(false);
    cleanups.push(() => database.drop());
    const vhost: TestVhost = await createVhost();
    cleanups.push(() => vhost.drop());
    let proxy: TcpProxy | undefined;
    if (options.throughProxy) {
      proxy = await startTcpProxy({ port: Number(new URL(database.url).port) });
      cleanups.push(() => proxy!.close());
    }
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: proxy ? proxy.url(database.url) : database.url,
      AMQP_URL: vhost.url,
      JWT_SECRET: 'a-secret-for-the-resilience-tests-of-mascotas',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      RATE_LIMIT_MAX: '0',
      LOGIN_MAX_FAILURES: '1000',
      DATABASE_POOL_SIZE: '4',
      LOG_LEVEL: 'warn',
    };
    const replicas: ServerProcess[] = [];
    // One after the other: the first bootstraps the admin and migrates.
    for (let n = 0; n < 2; n++) {
      const replica = await startServer({ ...env, PORT: String(await freePort()) });
      replicas.push(replica);
      cleanups.push(() => replica.kill());
    }
    return { database, vhost, proxy, replicas, bases: replicas.map((replica) => replica.base) };
  }

  /** Waits for the ledger to settle, then checks every invariant of the burst. */
  async function expectSettled(
    env: Awaited<ReturnType<typeof environment>>,
    shop: Awaited<ReturnType<typeof setUpShop>>,
    tally: Tally,
    withinMs: number,
  ) {
    let ledger = await readLedger(env.database.url, env.vhost.url, shop, tally.accepted);
    await eventually(async () => {
      ledger = await readLedger(env.database.url, env.vhost.url, shop, tally.accepted);
      return settled(ledger);
    }, withinMs).catch(() => {});
    expect(ledger, JSON.stringify(ledger)).toMatchObject({
      missing: 0,
      pending: 0,
      unpublished: 0,
      queued: 0,
    });
    expect(ledger.confirmed + ledger.rejected).toBe(tally.accepted.length);
    expect(ledger.confirmed).toBeGreaterThan(0);
    expect(
      ledger.stockImbalance.every((difference) => difference === 0),
      String(ledger.stockImbalance),
    ).toBe(true);
    expect(ledger.parked).toBe(0);
    return ledger;
  }

  const expectAlive = (replicas: ServerProcess[]) => {
    for (const replica of replicas) expect(replica.exited(), replica.output().slice(-3000)).toBeNull();
  };

  it('when the backends are terminated three times, then no process exits, no request hangs, and every accepted checkout becomes exactly one order', async () => {
    const env = await environment();
    const shop = await setUpShop(env.bases, { products: 6, stock: 60, customers: 10 });
    const killer = postgres(POSTGRES_ADMIN_URL, { max: 1, onnotice: () => {} });
    cleanups.push(() => killer.end({ timeout: 1 }));
    const name = new URL(env.database.url).pathname.slice(1);
    const tally = new Tally();
    let stopping = false;
    const burst = checkoutBurst(env.bases, shop, tally, () => stopping);
    const terminated: number[] = [];
    for (let round = 0; round < 3; round++) {
      await pause(1500);
      // Materialized first: in one WHERE, PostgreSQL may call pg_terminate_backend on any row.
      const rows = await killer<{ pid: number }[]>`
        with victims as materialized (
          select pid from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid())
        select pid, pg_terminate_backend(pid) from victims`;
      terminated.push(rows.length);
    }
    await pause(2500);
    stopping = true;
    await burst;

    expect(
      terminated.every((count) => count > 0),
      String(terminated),
    ).toBe(true);
    expectAlive(env.replicas);
    expect(tally.hung).toBe(0);
    expect(tally.refused).toBe(0);
    expect(tally.serverErrors(), JSON.stringify([...tally.statuses])).toBe(0);
    expect(tally.unavailableWithoutRetryAfter).toBe(0);
    expect(tally.accepted.length).toBeGreaterThan(20);
    await expectSettled(env, shop, tally, 60_000);
    expectAlive(env.replicas);
  }, 240_000);

  it('when the database refuses connections for 30 s, then requests answer 503 with Retry-After, readiness recovers by itself, nothing is dead-lettered and every accepted checkout converges within 30 s of its return', async () => {
    const env = await environment({ throughProxy: true });
    const shop = await setUpShop(env.bases, { products: 6, stock: 200, customers: 8 });
    const tally = new Tally();
    let stopping = false;
    const burst = checkoutBurst(env.bases, shop, tally, () => stopping);
    await pause(2000);
    const beforeOutage = tally.accepted.length;

    await env.proxy!.refuse();
    // A second burst of the same customers, whose answers are all from the outage.
    const outage = new Tally();
    let outageOver = false;
    const outageBurst = checkoutBurst(env.bases, shop, outage, () => outageOver);
    const readiness: number[] = [];
    const outageEnds = Date.now() + 30_000;
    while (Date.now() < outageEnds) {
      for (const base of env.bases) readiness.push((await call(base, 'GET', '/health/ready')).status);
      await pause(1000);
    }
    outageOver = true;
    await outageBurst;
    tally.accepted.push(...outage.accepted);
    // During the outage: every answer was a 503 with Retry-After (problem+json), never a 500.
    expect(outage.of(503)).toBeGreaterThan(10);
    expect(outage.serverErrors(), JSON.stringify([...outage.statuses])).toBe(0);
    expect(outage.unavailableWithoutRetryAfter).toBe(0);
    expect(outage.hung).toBe(0);
    expect(readiness.slice(-4)).toEqual([503, 503, 503, 503]);

    await env.proxy!.accept();
    const back = Date.now();
    await eventually(async () => {
      const ready = await Promise.all(env.bases.map((base) => call(base, 'GET', '/health/ready')));
      return ready.every((answer) => answer.status === 200);
    }, 15_000);
    await pause(3000);
    stopping = true;
    await burst;

    expectAlive(env.replicas);
    expect(tally.hung + outage.hung).toBe(0);
    expect(tally.serverErrors(), JSON.stringify([...tally.statuses])).toBe(0);
    expect(tally.accepted.length).toBeGreaterThan(beforeOutage);
    await expectSettled(env, shop, tally, Math.max(1000, 30_000 - (Date.now() - back)));
    expect(Date.now() - back).toBeLessThan(30_000 + 5_000);
    expectAlive(env.replicas);
  }, 300_000);
});
