import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductListQuery } from '../../src/modules/products/products.schemas.js';
import { validatorCompiler } from '../../src/platform/http/validation.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  type Account,
  adminAccount,
  call,
  createCategory,
  createProduct,
  SECURITY_CONFIG,
} from './shop-seed.js';

function expectProblem(response: { statusCode: number; body: string }, status: number, code?: string) {
  expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
  if (code) expect(JSON.parse(response.body).code).toBe(code);
}

describe('text that is not Unicode, and ids that are not decimal', () => {
  let t: TestApp;
  let admin: Account;
  let category: number;
  let product: number;
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    admin = await adminAccount(t);
    category = await createCategory(t, admin);
    await t.settle();
    product = await createProduct(t, admin, category);
    await t.settle();
  });
  afterAll(async () => t?.close());

  const postText = (method: string, url: string, json: string) =>
    t.app.inject({
      method: method as 'POST',
      url,
      headers: { ...admin.headers, 'content-type': 'application/json' },
      payload: json,
    });

  it('when any route with a body gets a lone surrogate in a string or a key, then it is a 400 naming it', async () => {
    const writes = t.app.platform.routes.filter((route) => ['POST', 'PUT', 'PATCH'].includes(route.method));
    expect(writes.length).toBeGreaterThan(15);
    for (const route of writes) {
      const url = route.url.replace(/:[a-z_]+/giu, String(product));
      for (const json of ['{"text":"a\\ud800b"}', '{"\\udc00":1}', '{"deep":[{"x":"\\udbff"}]}']) {
        const response = await postText(route.method, url, json);
        expectProblem(response, 400, 'HTTP.INVALID_UNICODE');
        expect(response.json().errors[0].message).toContain('surrogate');
      }
    }
  });

  it('when a product is created with a lone surrogate in its specifications (jsonb), then it is a 400, not a 500', async () => {
    const body = (specifications: string, name = 'Surrogate test') =>
      `{"name":"${name}","description":"d","price":"1.00","category":${category},"animal_type":"dog","specifications":${specifications}}`;
    const before = (await call(t, 'GET', '/api/products?limit=1', { expect: 200 })).count;
    expectProblem(
      await postText('POST', '/api/products', body('{"flavour":"\\ud800"}')),
      400,
      'HTTP.INVALID_UNICODE',
    );
    expectProblem(
      await postText('POST', '/api/products', body('{}', 'Bad \\udfff name')),
      400,
      'HTTP.INVALID_UNICODE',
    );
    await t.settle();
    expect((await call(t, 'GET', '/api/products?limit=1', { expect: 200 })).count).toBe(before);
    // A well-formed astral character (a surrogate pair) is text like any other.
    const created = await postText(
      'POST',
      '/api/products',
      body('{"icon":"\\ud83d\\udc36"}', 'Dog \\ud83d\\udc36'),
    );
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Dog 🐶', specifications: { icon: '🐶' } });
  });

  it('when a category name or a review comment holds a lone surrogate, then nothing is stored with U+FFFD in its place', async () => {
    expectProblem(
      await postText('POST', '/api/categories', '{"name":"Cats \\ud800"}'),
      400,
      'HTTP.INVALID_UNICODE',
    );
    const names = (await call(t, 'GET', '/api/categories?limit=100', { expect: 200 })).results.map(
      (row: { name: string }) => row.name,
    );
    expect(names.some((name: string) => name.includes('\uFFFD'))).toBe(false);
    const review = `{"product_id":${product},"rating":4,"comment":"ok \\udc00"}`;
    expectProblem(await postText('POST', '/api/reviews', review), 400, 'HTTP.INVALID_UNICODE');
  });

  it.each(['0x1', '1e0', '+1', '%201', '1.0', '1%20', '0b1', '1_0'])(
    'when an id is written %s, then it is not id 1 (400 on every route with an integer id)',
    async (id) => {
      const urls = [
        `/api/products/${id}`,
        `/api/categories/${id}`,
        `/api/reviews/${id}`,
        `/api/users/${id}`,
        `/api/products?category=${id}`,
        `/api/reviews?product=${id}`,
        `/api/reviews/summary?product=${id}`,
        `/api/products?page=${id}`,
        `/api/categories?parent=${id}`,
      ];
      for (const url of urls) {
        const response = await t.app.inject({ method: 'GET', url, headers: admin.headers });
        expect(response.statusCode, `${url} ${response.body.slice(0, 200)}`).toBe(400);
      }
    },
  );

  it('when ids and flags are plain decimal text, then they are read as numbers and booleans', async () => {
    expect((await t.app.inject({ method: 'GET', url: `/api/products/${product}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/products/00${product}` })).statusCode).toBe(200);
    const listed = await call(t, 'GET', `/api/products?category=${category}&in_stock=true&page=1`, {
      expect: 200,
    });
    expect(listed.results.map((row: { id: number }) => row.id)).toContain(product);
    expect((await t.app.inject({ method: 'GET', url: '/api/products?in_stock=yes' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/categories?parent=null' })).statusCode).toBe(200);
  });
});

describe('the validator of query strings, paths and headers', () => {
  const validate = validatorCompiler()({
    schema: ProductListQuery,
    httpPart: 'querystring',
    method: 'GET',
    url: '/api/products',
  }) as ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] };

  it('when a value holds a lone surrogate (no HTTP client can send one, but a parser could make one), then it is refused', () => {
    expect(validate({ search: 'a\ud800' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ instancePath: '/search' });
    expect(validate.errors?.[0]?.message).toContain('surrogate');
  });

  it('when values are plain decimal text, then they are typed; anything else is left to fail its schema', () => {
    const query: Record<string, unknown> = { page: '2', category: '7', in_stock: 'false', search: '12' };
    expect(validate(query)).toBe(true);
    expect(query).toMatchObject({ page: 2, category: 7, in_stock: false, search: '12' });
    for (const page of ['0x2', '2e0', '+2', '2.0', ' 2', 'Infinity', '']) {
      expect(validate({ page }), page).toBe(false);
    }
  });
});
