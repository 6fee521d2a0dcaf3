import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_JWT_SECRET } from '../helpers/test-config.js';

function token(header: object, payload: object, secret = TEST_JWT_SECRET): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('HTTP platform', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule] });
  });
  afterAll(async () => t.close());

  const post = (payload: string, contentType = 'application/json') =>
    t.app.inject({ method: 'POST', url: '/api/notes', payload, headers: { 'content-type': contentType } });

  it('when the JSON is malformed, then it is a 400 problem', async () => {
    const response = await post('{"text": ');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request', code: 'HTTP.MALFORMED_JSON' });
  });

  it('when the body is over 1 MiB, then it is a 413 problem', async () => {
    const response = await post(JSON.stringify({ text: 'x'.repeat(1_100_000) }));
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ status: 413, code: 'HTTP.BODY_TOO_LARGE' });
  });

  it('when the body is not JSON, then it is a 415 problem', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await post('text=hi', type);
      expect(response.statusCode, type).toBe(415);
      expect(response.json()).toMatchObject({ status: 415, code: 'HTTP.UNSUPPORTED_MEDIA_TYPE' });
    }
  });

  it('when a field has the wrong type, then every failing path is listed', async () => {
    const response = await post(JSON.stringify({ text: 12 }));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.text' }] });
  });

  it('when no route matches, then it is a problem+json 404', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/nowhere' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 404, code: 'HTTP.ROUTE_NOT_FOUND' });
  });

  it('when a path has a trailing slash, then it is the same route', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/echoes/' });
    expect(response.statusCode).toBe(200);
  });

  it('when a request carries x-request-id or kong-request-id, then the response echoes it; else one is made', async () => {
    const own = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(own.headers['x-request-id']).toBe('abc-123');
    const kong = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'kong-request-id': 'kong-9' },
    });
    expect(kong.headers['x-request-id']).toBe('kong-9');
    const made = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'a b\u0000<script>' },
    });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when health is asked, then live and ready answer 200 with the database up', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'up' } });
  });

  it('when metrics are scraped, then HTTP, outbox and event series are there', async () => {
    await post(JSON.stringify({ text: 'for metrics' }));
    await t.settle();
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('http_requests_total{method="POST",route="/api/notes",status="201"}');
    expect(response.body).toContain('http_request_duration_seconds_bucket');
    expect(response.body).toMatch(/outbox_backlog \d+/);
    expect(response.body).toContain('outbox_relay_publishing{destination="note_events"} 1');
    expect(response.body).toContain(
      'events_published_total{exchange="note_events",routing_key="note.created"}',
    );
    expect(response.body).toContain('events_consumed_total{queue="echoes.note_events"}');
  });

  it('when the docs are asked, then OpenAPI lists the full paths and AsyncAPI the events', async () => {
    const openapi = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/api/notes');
    const asyncapi = (await t.app.inject({ method: 'GET', url: '/docs/asyncapi.json' })).json();
    expect(asyncapi.asyncapi).toBe('2.6.0');
    expect(asyncapi.channels['note_events/note.created'].description).toContain('echoes.note_events');
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect([200, 302]).toContain(page.statusCode);
  });

  describe('access tokens', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const claims = (extra: object = {}) => ({
      sub: '41',
      is_staff: false,
      type: 'access',
      iss: 'mascotas',
      aud: 'mascotas-api',
      iat: now(),
      exp: now() + 60,
      ...extra,
    });
    const call = (authorization: string, url = '/api/notes/private') =>
      t.app.inject({ method: 'GET', url, headers: { authorization } });

    beforeAll(async () => {
      await t.bearer({ id: 41 });
    });

    it('when the token is valid, then the principal is known', async () => {
      const response = await call(`Bearer ${token({ alg: 'HS256', typ: 'JWT' }, claims())}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ id: 41 });
    });

    it.each([
      ['no token', ''],
      [
        'alg none',
        `Bearer ${token({ alg: 'none', typ: 'JWT' }, claims()).split('.').slice(0, 2).join('.')}.`,
      ],
      ['HS512 instead of the pinned HS256', `Bearer ${token({ alg: 'HS512', typ: 'JWT' }, claims())}`],
      [
        'a wrong secret',
        `Bearer ${token({ alg: 'HS256' }, claims(), 'another-secret-another-secret-another')}`,
      ],
      ['an expired token', `Bearer ${token({ alg: 'HS256' }, claims({ exp: now() - 10 }))}`],
      ['a not-yet-valid token', `Bearer ${token({ alg: 'HS256' }, claims({ nbf: now() + 600 }))}`],
      ['another issuer', `Bearer ${token({ alg: 'HS256' }, claims({ iss: 'elsewhere' }))}`],
      ['a refresh-type token', `Bearer ${token({ alg: 'HS256' }, claims({ type: 'refresh' }))}`],
      ['an unknown user', `Bearer ${token({ alg: 'HS256' }, claims({ sub: '9999' }))}`],
      ['garbage', 'Bearer not.a.jwt'],
    ])('when the request has %s, then it is a 401 problem', async (_case, authorization) => {
      const response = await call(authorization);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ status: 401, code: 'AUTH.UNAUTHORIZED' });
    });

    it('when claims are tampered with after signing, then it is a 401', async () => {
      const [header, , signature] = token({ alg: 'HS256' }, claims()).split('.');
      const forged = Buffer.from(JSON.stringify(claims({ is_staff: true }))).toString('base64url');
      expect((await call(`Bearer ${header}.${forged}.${signature}`)).statusCode).toBe(401);
    });

    it('when the user is deactivated, then an existing token stops working at the next request', async () => {
      const auth = await t.bearer({ id: 42 });
      expect((await call(auth.authorization)).statusCode).toBe(200);
      await t.bearer({ id: 42, isActive: false });
      expect((await call(auth.authorization)).statusCode).toBe(401);
    });

    it('when a customer calls an admin route, then 403; an admin gets through', async () => {
      const customer = await t.bearer({ id: 43 });
      expect((await call(customer.authorization, '/api/notes/admin')).statusCode).toBe(403);
      const admin = await t.bearer({ id: 44, isStaff: true });
      expect((await call(admin.authorization, '/api/notes/admin')).statusCode).toBe(200);
    });
  });
});

describe('URLs the router refuses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule] });
  });
  afterAll(async () => t.close());

  it.each([
    ['a malformed percent-encoding', '/api/notes/by-id/%E0%A4%A', 400, 'HTTP.BAD_URL'],
    ['an over-long path parameter', `/api/notes/by-id/${'a'.repeat(500)}`, 414, 'HTTP.URI_TOO_LONG'],
  ])('when the URL has %s, then it is a problem+json %s', async (_case, url, status, code) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status, code });
  });
});
