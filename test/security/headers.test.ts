import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Account, adminAccount, registerAccount, SECURITY_CONFIG } from './shop-seed.js';

const ALLOWED = 'https://shop.example';
const ALSO_ALLOWED = 'https://admin.shop.example';
const OTHER = 'https://evil.example';

/** What every answer carries, JSON or HTML, success or problem (OWASP's REST Security Cheat Sheet). */
const HARDENING = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-site',
};

/** helmet's headers for HTML documents: on the docs pages, not on the API's answers. */
const PAGE_ONLY = {
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'x-permitted-cross-domain-policies': 'none',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-xss-protection': '0',
};

describe('security headers and CORS (CORS_ORIGINS set)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      modules: [categoriesModule],
      config: { CORS_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}` },
    });
  });
  afterAll(async () => t?.close());

  it.each([
    ['a JSON answer', '/api/categories', 200, 'application/json'],
    ['a problem', '/api/categories/999999', 404, 'application/problem+json'],
    ['an unknown route', '/api/nowhere', 404, 'application/problem+json'],
    ['the health check', '/health/live', 200, 'application/json'],
  ])(
    'when %s is served, then it carries the hardening headers and says what it is',
    async (_case, url, status, type) => {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject(HARDENING);
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/u);
      expect(String(response.headers['content-type'])).toContain(type);
      expect(response.headers['x-powered-by']).toBeUndefined();
      expect(response.headers.server).toBeUndefined();
      for (const name of Object.keys(PAGE_ONLY)) expect(response.headers[name]).toBeUndefined();
    },
  );

  it('when the docs page is served, then it is HTML with its own content security policy and the hardening headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['content-type'])).toContain('text/html');
    expect(response.headers).toMatchObject({ ...HARDENING, ...PAGE_ONLY });
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/u);
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("frame-ancestors 'self'");
  });

  it.each([ALLOWED, ALSO_ALLOWED])(
    'when %s (in CORS_ORIGINS) calls the API, then its origin is echoed, never *',
    async (origin) => {
      const response = await t.app.inject({ method: 'GET', url: '/api/categories', headers: { origin } });
      expect(response.headers['access-control-allow-origin']).toBe(origin);
      expect(String(response.headers.vary)).toContain('Origin');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(response.headers['access-control-expose-headers'])).toContain('x-request-id');
      expect(String(response.headers['access-control-expose-headers'])).toContain('retry-after');
    },
  );

  it('when another origin calls the API, then no CORS header lets its page read the answer', async () => {
    const simple = await t.app.inject({ method: 'GET', url: '/api/categories', headers: { origin: OTHER } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/categories',
      headers: { origin: OTHER, 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
    'when an allowed origin preflights a %s with a bearer token, then the browser is allowed to send it',
    async (method) => {
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/categories/1',
        headers: {
          origin: ALLOWED,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(String(preflight.headers['access-control-allow-methods']).split(/\s*,\s*/u)).toContain(method);
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    },
  );
});

describe('CORS when CORS_ORIGINS is empty (the default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [categoriesModule] });
  });
  afterAll(async () => t?.close());

  it('when any origin calls the API, then no CORS header is sent', async () => {
    for (const origin of [ALLOWED, OTHER, 'null']) {
      const response = await t.app.inject({ method: 'GET', url: '/api/categories', headers: { origin } });
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
  });
});

describe('caching of tokens and personal data', () => {
  let t: TestApp;
  let customer: Account;
  let admin: Account;
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    admin = await adminAccount(t);
    customer = await registerAccount(t, 'cached');
  });
  afterAll(async () => t?.close());

  const cacheControl = async (method: string, url: string, headers = {}, payload?: object) =>
    (
      await t.app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(payload ? { payload } : {}),
      })
    ).headers['cache-control'];

  it('when a route answers tokens or a user (login, refresh, register), then the answer is never stored', async () => {
    const name = `fresh${Date.now()}`;
    const registered = { username: name, email: `${name}@mail.test`, password: customer.password };
    expect(await cacheControl('POST', '/api/users/register', {}, registered)).toBe('no-store');
    const login = { username: customer.username, password: customer.password };
    expect(await cacheControl('POST', '/api/users/login', {}, login)).toBe('no-store');
    expect(await cacheControl('POST', '/api/users/login', {}, { ...login, password: 'wrong' })).toBe(
      'no-store',
    );
    expect(await cacheControl('POST', '/api/users/token/refresh', {}, { refresh: customer.refresh })).toBe(
      'no-store',
    );
  });

  it('when a signed-in user reads their own data, then it is never stored', async () => {
    for (const url of ['/api/users/me', '/api/cart', '/api/orders']) {
      expect(await cacheControl('GET', url, customer.headers), url).toBe('no-store');
    }
    expect(await cacheControl('GET', '/api/users', admin.headers)).toBe('no-store');
    expect(await cacheControl('GET', `/api/users/${customer.id}`, admin.headers)).toBe('no-store');
  });

  it('when any guarded route answers, even a refusal, then it is never stored', async () => {
    const guarded = t.app.platform.routes.filter((route) => route.access !== 'public');
    expect(guarded.length).toBeGreaterThan(20);
    for (const route of guarded) {
      const url = route.url.replace(/:[a-z_]+/giu, '1');
      expect(await cacheControl(route.method, url), `${route.method} ${url}`).toBe('no-store');
    }
  });

  it('when the public catalogue answers, then it says nothing about caching (a shared cache may keep it)', async () => {
    expect(await cacheControl('GET', '/api/products')).toBeUndefined();
    expect(await cacheControl('GET', '/api/categories')).toBeUndefined();
  });
});
