import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from './bus-contract.js';

/**
 * The app in-process on PostgreSQL reached through a TCP proxy the test controls: the database
 * "goes away" (the proxy refuses connections and cuts those it carries) and comes back, while the
 * machine's PostgreSQL keeps serving everyone else.
 */
describe('the app when its database goes away and comes back', () => {
  let direct: TestDatabase;
  let proxy: TcpProxy;
  let t: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    direct = await createPostgresDatabase();
    proxy = await startTcpProxy({ port: Number(new URL(direct.url).port) });
    const url = proxy.url(direct.url);
    const throughProxy: TestDatabase = {
      url,
      config: { DATABASE_URL: url },
      open: (poolSize = 4) => openDatabase({ url, dataDir: '.data/unused', poolSize }),
      drop: async () => {},
    };
    t = await buildTestApp({ testDatabase: throughProxy });
    admin = await t.bearer({ id: 1, isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await direct?.drop();
  });

  const get = (url: string) => t.app.inject({ method: 'GET', url });

  it('when the database refuses connections, then requests answer 503 problem+json with Retry-After, readiness says down, and both recover by themselves', async () => {
    expect((await get('/api/categories')).statusCode).toBe(200);
    await proxy.refuse();

    for (const url of ['/api/categories', '/api/products', '/api/products/1']) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(503);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(response.body).not.toMatch(/select|insert|ECONNREFUSED|5432/i);
    }
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/categories',
      headers: admin,
      payload: { name: 'During the outage' },
    });
    expect(write.statusCode).toBe(503);
    const ready = await get('/health/ready');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ checks: { database: 'down' } });
    await eventually(() => !t.database.availability.isUp, 5000);

    await proxy.accept();
    await eventually(async () => (await get('/health/ready')).statusCode === 200, 10_000);
    await eventually(() => t.database.availability.isUp, 5000);
    expect((await get('/api/categories')).statusCode).toBe(200);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/categories',
      headers: admin,
      payload: { name: 'After the outage' },
    });
    expect(created.statusCode).toBe(201);
    // The relay's session was lost with the rest: it opens another and publishes.
    await t.settle();
  }, 60_000);

  it('when every connection is cut between requests, then no request fails with a 500 and each client fails at most once before it is replaced', async () => {
    for (let round = 0; round < 6; round++) {
      proxy.cut(round % 2 ? 'end' : 'reset');
      const statuses: number[] = [];
      // Four clients (DATABASE_POOL_SIZE in tests), idle ones taken in turn: each may meet its cut once.
      for (let n = 0; n < 10; n++) statuses.push((await get('/api/categories')).statusCode);
      expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
      expect(statuses.filter((status) => status === 503).length).toBeLessThanOrEqual(4);
      expect(statuses.slice(-6)).toEqual([200, 200, 200, 200, 200, 200]);
    }
  }, 60_000);

  it('when connections are reset while requests are in flight, then each request gets 200 or 503 and none hangs', async () => {
    const inFlight = Array.from({ length: 40 }, () => get('/api/products?limit=5'));
    setTimeout(() => proxy.cut('reset'), 5);
    setTimeout(() => proxy.cut('end'), 30);
    const statuses = (await Promise.all(inFlight)).map((response) => response.statusCode);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    await eventually(async () => (await get('/api/products')).statusCode === 200, 5000);
  }, 60_000);
});
