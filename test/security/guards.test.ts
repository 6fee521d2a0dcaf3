import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModuleDefinition } from '../../src/platform/module.js';
import type { RouteRecord } from '../../src/platform/platform.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Account, registerAccount, SECURITY_CONFIG } from './shop-seed.js';

/** Everything a route could refuse with a 400 or 415 before looking at who is calling. */
const BAD_REQUESTS = [
  { label: 'an invalid JSON body', payload: { nonsense: true }, type: 'application/json' },
  { label: 'malformed JSON', payload: '{"nonsense": ', type: 'application/json' },
  { label: 'a body that is not JSON', payload: 'nonsense=true', type: 'text/plain' },
] as const;

/** Every path parameter filled with a value no route accepts, and an unknown query parameter. */
function hostileUrl(route: RouteRecord): string {
  return `${route.url.replace(/:[a-z_]+/giu, 'not-an-id').replace(/\*$/u, 'x')}?nonsense=1`;
}

describe('guards run before anything looks at the request (401 before 400)', () => {
  let t: TestApp;
  let customer: Account;
  let guarded: RouteRecord[];
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    customer = await registerAccount(t, 'guarded');
    guarded = t.app.platform.routes.filter((route) => route.access !== 'public');
  });
  afterAll(async () => t?.close());

  const send = (route: RouteRecord, bad: (typeof BAD_REQUESTS)[number], headers: object = {}) =>
    t.app.inject({
      method: route.method as 'POST',
      url: hostileUrl(route),
      headers: { ...headers, 'content-type': bad.type },
      ...(['GET', 'DELETE'].includes(route.method) ? {} : { payload: bad.payload }),
    });

  it('when the app is built, then every module has guarded routes and staff routes are marked admin', () => {
    const modules = new Set(guarded.map((route) => route.module ?? 'platform'));
    expect([...modules].sort()).toEqual([
      'cart',
      'categories',
      'orders',
      'platform',
      'products',
      'reviews',
      'users',
    ]);
    const access = (method: string, url: string) =>
      t.app.platform.routes.find((route) => route.method === method && route.url === url)?.access;
    expect(access('POST', '/api/products')).toBe('admin');
    expect(access('GET', '/api/users')).toBe('admin');
    expect(access('GET', '/api/admin/events/status')).toBe('admin');
    expect(access('GET', '/api/users/me')).toBe('user');
    expect(access('GET', '/api/products')).toBe('public');
    expect(access('POST', '/api/users/login')).toBe('public');
  });

  it.each(BAD_REQUESTS.map((bad) => [bad.label, bad] as const))(
    'when an anonymous caller sends %s to any guarded route, then it is a 401 problem',
    async (_label, bad) => {
      const answers: string[] = [];
      for (const route of guarded) {
        const response = await send(route, bad);
        const problem = String(response.headers['content-type']).startsWith('application/problem+json');
        answers.push(
          `${route.method} ${route.url} ${response.statusCode}${problem ? '' : ' (not a problem)'}`,
        );
      }
      expect(answers).toEqual(guarded.map((route) => `${route.method} ${route.url} 401`));
    },
  );

  it("when a guarded GET route is asked with HEAD (Fastify's twin route), then the guard runs there too", async () => {
    for (const url of ['/api/users/me', '/api/cart', '/api/users', '/api/admin/events/status']) {
      const response = await t.app.inject({ method: 'HEAD', url: `${url}?nonsense=1` });
      expect(response.statusCode, url).toBe(401);
    }
  });

  it('when a customer sends an invalid request to a staff route, then it is a 403, not a 400', async () => {
    const staffRoutes = guarded.filter((route) => route.access === 'admin');
    expect(staffRoutes.length).toBeGreaterThan(10);
    const answers: string[] = [];
    for (const route of staffRoutes) {
      const response = await send(route, BAD_REQUESTS[0], customer.headers);
      answers.push(`${route.method} ${route.url} ${response.statusCode}`);
    }
    expect(answers).toEqual(staffRoutes.map((route) => `${route.method} ${route.url} 403`));
  });

  it('when a signed-in caller sends an invalid body, then validation answers (the guard let it through)', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      headers: customer.headers,
      payload: { nonsense: true },
    });
    expect(response.statusCode).toBe(400);
  });
});

/** A module that names its guards in later hooks, as a module written from an older guide would. */
const lateGuards: ModuleDefinition = {
  name: 'late',
  consumes: [],
  async register(app) {
    const body = Type.Object({ text: Type.String() }, { additionalProperties: false });
    const schema = { body, response: { 200: Type.Object({ ok: Type.Boolean() }) } };
    app.post('/pre-handler', { preHandler: app.authenticate, schema }, async () => ({ ok: true }));
    app.post('/pre-validation', { preValidation: [app.requireAdmin], schema }, async () => ({ ok: true }));
  },
};

describe('a guard named in a later hook', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [lateGuards] });
  });
  afterAll(async () => t?.close());

  it.each(['/api/late/pre-handler', '/api/late/pre-validation'])(
    'when %s is called anonymously with an invalid body, then the platform has run its guard first: 401',
    async (url) => {
      const response = await t.app.inject({ method: 'POST', url, payload: { nonsense: true } });
      expect(response.statusCode).toBe(401);
      const customer = await t.bearer({ id: 7 });
      const signedIn = await t.app.inject({
        method: 'POST',
        url,
        headers: customer,
        payload: { text: 'hi' },
      });
      expect(signedIn.statusCode).toBe(url.endsWith('pre-handler') ? 200 : 403);
    },
  );
});
