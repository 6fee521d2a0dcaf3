import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  type Account,
  adminAccount,
  call,
  createCategory,
  createProduct,
  registerAccount,
  SECURITY_CONFIG,
} from './shop-seed.js';

const MIB = 1024 * 1024;

function expectProblem(
  response: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(response.statusCode, response.body.slice(0, 200)).toBe(status);
  expect(String(response.headers['content-type'])).toContain('application/problem+json');
  expect(JSON.parse(response.body)).toMatchObject({ status });
}

describe('resource limits (OWASP API4)', () => {
  let t: TestApp;
  let admin: Account;
  let customer: Account;
  let products: number[];
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    admin = await adminAccount(t);
    customer = await registerAccount(t, 'limits');
    const category = await createCategory(t, admin);
    await t.settle();
    products = [];
    for (let index = 0; index < 51; index++)
      products.push(await createProduct(t, admin, category, { stock: 1000 }));
    await t.settle();
  }, 120_000);
  afterAll(async () => t?.close());

  const send = (
    method: string,
    url: string,
    payload?: unknown,
    headers: Record<string, string> = customer.headers,
  ) =>
    t.app.inject({
      method: method as 'POST',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as string | object }),
    });

  it('when a body is over 1 MiB, then every kind of route answers 413 problem+json before reading it all', async () => {
    const big = 'x'.repeat(MIB + 10);
    expectProblem(
      await send('POST', '/api/users/register', { username: 'big', email: 'b@mail.test', password: big }, {}),
      413,
    );
    expectProblem(
      await send('POST', '/api/reviews', { product_id: products[0], rating: 5, comment: big }),
      413,
    );
    expectProblem(await send('POST', '/api/products', { name: big }, admin.headers), 413);
    expectProblem(await send('POST', '/api/orders', { items: [], padding: big }), 413);
  });

  it('when an order has more than 50 lines or a quantity outside 1–99, then it is a 400', async () => {
    const lines = (count: number) =>
      products.slice(0, count).map((product_id) => ({ product_id, quantity: 1 }));
    expectProblem(await send('POST', '/api/orders', { items: lines(51) }), 400);
    expectProblem(await send('POST', '/api/orders', { items: [] }), 400);
    for (const quantity of [0, 100, -1, 1.5, '2', 1e9]) {
      expectProblem(
        await send('POST', '/api/orders', { items: [{ product_id: products[0], quantity }] }),
        400,
      );
    }
    expect((await send('POST', '/api/orders', { items: lines(2) })).statusCode).toBe(201);
  });

  it('when a cart line would hold more than 99 of a product, then it is refused (400 for one request, 409 summed up)', async () => {
    const headers = (await registerAccount(t, 'hoarder')).headers;
    for (const quantity of [0, 100, 1.5, '3', -5]) {
      expectProblem(
        await send('POST', '/api/cart/items', { product_id: products[0], quantity }, headers),
        400,
      );
    }
    expect(
      (await send('POST', '/api/cart/items', { product_id: products[0], quantity: 60 }, headers)).statusCode,
    ).toBe(201);
    expectProblem(
      await send('POST', '/api/cart/items', { product_id: products[0], quantity: 40 }, headers),
      409,
    );
    expectProblem(await send('PATCH', `/api/cart/items/${products[0]}`, { quantity: 100 }, headers), 400);
    const cart = await call(t, 'GET', '/api/cart', { headers, expect: 200 });
    expect(cart.item_count).toBe(60);
  });

  it('when a cart already holds 50 different products, then a 51st is a 409 (no hoarding of the catalog)', async () => {
    const headers = (await registerAccount(t, 'collector')).headers;
    for (const product of products.slice(0, 50)) {
      expect(
        (await send('POST', '/api/cart/items', { product_id: product, quantity: 1 }, headers)).statusCode,
      ).toBe(201);
    }
    const refused = await send('POST', '/api/cart/items', { product_id: products[50], quantity: 1 }, headers);
    expectProblem(refused, 409);
    expect(refused.json().code).toBe('CART.TOO_MANY_LINES');
    expect((await call(t, 'GET', '/api/cart', { headers, expect: 200 })).items).toHaveLength(50);
  }, 60_000);

  it.each([
    [
      'a review comment of 5,001 characters',
      'POST',
      '/api/reviews',
      () => ({ product_id: products[1], rating: 5, comment: 'c'.repeat(5001) }),
    ],
    [
      'a review title of 201 characters',
      'POST',
      '/api/reviews',
      () => ({ product_id: products[1], rating: 5, title: 't'.repeat(201), comment: 'c' }),
    ],
    [
      'a username of 151 characters',
      'POST',
      '/api/users/register',
      () => ({ username: 'u'.repeat(151), email: 'u@mail.test', password: 'long-enough-1' }),
    ],
    [
      'a password of 129 characters',
      'POST',
      '/api/users/register',
      () => ({ username: 'longpw', email: 'lp@mail.test', password: 'p'.repeat(129) }),
    ],
    ['an address of 501 characters', 'PATCH', '/api/users/me', () => ({ address: 'a'.repeat(501) })],
    ['a category name of 101 characters', 'POST', '/api/categories', () => ({ name: 'n'.repeat(101) })],
    ['a product name of 201 characters', 'PATCH', '/api/products/1', () => ({ name: 'n'.repeat(201) })],
    [
      'a product description of 5,001 characters',
      'PATCH',
      '/api/products/1',
      () => ({ description: 'd'.repeat(5001) }),
    ],
  ] as const)('when a body has %s, then it is a 400', async (_case, method, url, body) => {
    expectProblem(await send(method, url, body(), admin.headers), 400);
  });

  it('when a search is longer than 100 characters, then it is a 400', async () => {
    expectProblem(await send('GET', `/api/products?search=${'s'.repeat(101)}`), 400);
  });

  it.each(['/api/products', '/api/categories', '/api/users', '/api/orders', '/api/reviews'])(
    'when %s is asked for 1,000,000 rows at once, then it answers at most 100 and links pages of 100',
    async (url) => {
      const response = await send('GET', `${url}?limit=1000000`, undefined, admin.headers);
      expect(response.statusCode).toBe(200);
      const page = response.json();
      expect(page.results.length).toBeLessThanOrEqual(100);
      if (page.next) expect(new URL(page.next).searchParams.get('limit')).toBe('100');
    },
  );

  it('when 1,000 rows a page are asked for, then the page size used is 100 (the links say so)', async () => {
    const page = (await send('GET', '/api/products?page=2&limit=1000')).json();
    expect(page.count).toBeGreaterThan(50);
    expect(page.results).toEqual([]);
    expect(new URL(page.previous).searchParams.get('limit')).toBe('100');
    expect((await send('GET', '/api/products?limit=1000')).json().results).toHaveLength(page.count);
  });

  it.each([
    'limit=0',
    'limit=-1',
    'limit=1.5',
    'limit=abc',
    'page=0',
    'page=-3',
    'page=1.5',
    'limit=1e400',
    'page=1e400',
    'page=1e20',
  ])('when the paging is %s, then it is a 400 on every list', async (query) => {
    for (const url of ['/api/products', '/api/categories', '/api/users', '/api/orders', '/api/reviews']) {
      expectProblem(await send('GET', `${url}?${query}`, undefined, admin.headers), 400);
    }
  });

  it('when a page far past the last (but a safe integer) is asked for, then every list answers an empty 200', async () => {
    for (const url of ['/api/products', '/api/categories', '/api/users', '/api/orders', '/api/reviews']) {
      const response = await send('GET', `${url}?page=9007199254740991&limit=100`, undefined, admin.headers);
      expect(response.statusCode, `${url} ${response.body.slice(0, 200)}`).toBe(200);
      expect(response.json().results).toEqual([]);
    }
  });

  it('when JSON nests deeper than 32 levels, then it is a 400 (not a 500), on a free-form field as on any body', async () => {
    const nested = (depth: number) => {
      let value: unknown = 1;
      for (let level = 0; level < depth; level++) value = { a: value };
      return value;
    };
    const product = {
      name: 'Deep',
      description: 'nested specifications',
      price: '1.00',
      category: (await call(t, 'GET', `/api/products/${products[0]}`, { expect: 200 })).category,
      animal_type: 'dog',
    };
    expect(
      (await send('POST', '/api/products', { ...product, specifications: nested(20) }, admin.headers))
        .statusCode,
    ).toBe(201);
    for (const depth of [40, 5_000]) {
      // Sent as text: the test's own JSON.stringify would overflow on 5,000 levels.
      const specifications = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const payload = JSON.stringify({ ...product, specifications: 0 }).replace(
        '"specifications":0',
        `"specifications":${specifications}`,
      );
      const response = await send('POST', '/api/products', payload, {
        ...admin.headers,
        'content-type': 'application/json',
      });
      expectProblem(response, 400);
      expect(response.json().code).toBe('HTTP.JSON_TOO_DEEP');
    }
    const deepArray = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    for (const url of ['/api/orders', '/api/cart/items', '/api/reviews', '/api/users/login']) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...customer.headers, 'content-type': 'application/json' },
        payload: deepArray,
      });
      expectProblem(response, 400);
    }
  });

  it('when a password is guessed again and again, then the login answers 429 with retry-after, even for the right password', async () => {
    const victim = await registerAccount(t, 'bruteforced');
    const attempt = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/users/login',
        payload: { username: victim.username, password },
      });
    for (let guess = 0; guess < 5; guess++) expect((await attempt(`wrong-${guess}`)).statusCode).toBe(401);
    const blocked = await attempt(victim.password);
    expectProblem(blocked, 429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when the server is started, then its request timeout is the configured one', () => {
    expect(t.app.server.requestTimeout).toBe(t.app.platform.config.REQUEST_TIMEOUT_MS);
    expect(t.app.platform.config.REQUEST_TIMEOUT_MS).toBeGreaterThan(0);
  });
});

describe('the in-process rate limit (RATE_LIMIT_MAX=5 per 60 s)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      modules: [categoriesModule],
      config: { RATE_LIMIT_MAX: 5, RATE_LIMIT_WINDOW_SECONDS: 60 },
    });
  });
  afterAll(async () => t?.close());

  const from = (ip: string, url = '/api/categories', headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, remoteAddress: ip, headers });

  it('when a client sends a 6th request in the window, then it is a 429 problem+json with retry-after', async () => {
    for (let request = 0; request < 5; request++) {
      const response = await from('10.0.0.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-ratelimit-limit']).toBe('5');
    }
    const limited = await from('10.0.0.1');
    expectProblem(limited, 429);
    expect(limited.json().code).toBe('HTTP.RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
  });

  it('when the limit is reached, then health checks still answer (orchestrators must not be rate limited)', async () => {
    for (let request = 0; request < 6; request++) await from('10.0.0.3');
    expect((await from('10.0.0.3', '/health/live')).statusCode).toBe(200);
    expect((await from('10.0.0.3', '/health/ready')).statusCode).toBe(200);
  });

  it('when a client without a proxy in front forges X-Forwarded-For, then it does not get a fresh allowance', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < 8; request++) {
      statuses.push(
        (await from('10.0.0.4', '/api/categories', { 'x-forwarded-for': `198.51.100.${request}` }))
          .statusCode,
      );
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});

describe('the in-process rate limit behind a trusted proxy (TRUST_PROXY=10.0.0.9)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      modules: [categoriesModule],
      config: { RATE_LIMIT_MAX: 5, RATE_LIMIT_WINDOW_SECONDS: 60, TRUST_PROXY: '10.0.0.9' },
    });
  });
  afterAll(async () => t?.close());

  const get = (remoteAddress: string, forwarded: string) =>
    t.app.inject({
      method: 'GET',
      url: '/api/categories',
      remoteAddress,
      headers: { 'x-forwarded-for': forwarded },
    });

  it('when clients come through the trusted proxy, then each forwarded address has its own allowance', async () => {
    for (let request = 0; request < 5; request++)
      expect((await get('10.0.0.9', '198.51.100.1')).statusCode).toBe(200);
    expectProblem(await get('10.0.0.9', '198.51.100.1'), 429);
    expect((await get('10.0.0.9', '198.51.100.2')).statusCode).toBe(200);
  });

  it('when a client that is not the proxy forges X-Forwarded-For, then its own address is counted', async () => {
    const statuses: number[] = [];
    for (let request = 0; request < 7; request++)
      statuses.push((await get('10.0.0.7', `203.0.113.${request}`)).statusCode);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});
