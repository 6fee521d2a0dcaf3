import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Account, adminAccount, createCategory, SECURITY_CONFIG } from './shop-seed.js';

const PAGED = [
  '/api/products',
  '/api/categories',
  '/api/users',
  '/api/orders',
  '/api/reviews',
  '/api/admin/events/dead-letters',
];

/** The second page of one-category pages: both links are set. */
const SECOND_PAGE = '/api/categories?limit=1&page=2&parent=null';

async function shopWithCategories(config: Record<string, string> = {}) {
  const t = await buildTestApp({ config: { ...SECURITY_CONFIG, ...config } });
  const admin = await adminAccount(t);
  for (let index = 0; index < 3; index++) await createCategory(t, admin);
  return { t, admin };
}

describe('page links without PUBLIC_URL', () => {
  let t: TestApp;
  let admin: Account;
  beforeAll(async () => {
    ({ t, admin } = await shopWithCategories());
  });
  afterAll(async () => t?.close());

  const page = (headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: SECOND_PAGE, headers: { ...admin.headers, ...headers } });

  it.each(['a b', 'evil.example/x', 'evil.example:port', 'a@b', '[::1'])(
    'when the Host header is %j, then every list (and any route) is a 400 problem, never a 500',
    async (host) => {
      for (const url of [...PAGED, '/api/products/1', '/docs/openapi.json']) {
        const response = await t.app.inject({ method: 'GET', url, headers: { ...admin.headers, host } });
        expect(response.statusCode, `${url} ${response.body.slice(0, 200)}`).toBe(400);
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(response.json().code).toBe('HTTP.BAD_HOST');
      }
    },
  );

  it('when a client names another host (Host, or X-Forwarded-Host without a trusted proxy), then no link carries it', async () => {
    const attempts: Record<string, string>[] = [
      { host: 'evil.example' },
      { host: 'evil.example:8443', 'x-forwarded-proto': 'https' },
      { host: 'localhost', 'x-forwarded-host': 'evil.example' },
    ];
    for (const headers of attempts) {
      const response = await page(headers);
      expect(response.statusCode).toBe(200);
      const { next, previous } = response.json();
      expect(`${next} ${previous}`).not.toContain('evil');
      if (headers.host?.startsWith('evil')) {
        expect(next).toBe('/api/categories?limit=1&page=3&parent=null');
        expect(previous).toBe('/api/categories?limit=1&page=1&parent=null');
      }
    }
  });

  it('when the Host names this machine, then links are absolute on it (development)', async () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']) {
      const { next } = (await page({ host })).json();
      expect(next).toBe(`http://${host}/api/categories?limit=1&page=3&parent=null`);
    }
  });
});

describe('page links with PUBLIC_URL, behind a trusted proxy', () => {
  let t: TestApp;
  let admin: Account;
  beforeAll(async () => {
    ({ t, admin } = await shopWithCategories({
      PUBLIC_URL: 'https://shop.example/store/',
      TRUST_PROXY: '10.9.8.7',
    }));
  });
  afterAll(async () => t?.close());

  it('when any Host or forwarded host comes in, then links start at the public URL', async () => {
    for (const headers of [
      { host: 'evil.example' },
      { host: 'localhost' },
      { host: 'mascotas-app', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
    ]) {
      const response = await t.app.inject({
        method: 'GET',
        url: SECOND_PAGE,
        remoteAddress: '10.9.8.7',
        headers: { ...admin.headers, ...headers },
      });
      expect(response.json()).toMatchObject({
        next: 'https://shop.example/store/api/categories?limit=1&page=3&parent=null',
        previous: 'https://shop.example/store/api/categories?limit=1&page=1&parent=null',
      });
    }
  });
});
