import { createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { TEST_JWT_SECRET } from '../helpers/test-config.js';
import { type Account, adminAccount, call, registerAccount, SECURITY_CONFIG } from './shop-seed.js';

/** Real protected routes of the real modules: a user's, and staff-only ones. */
const USER_ROUTES = [
  { method: 'GET', url: '/api/users/me' },
  { method: 'GET', url: '/api/cart' },
  { method: 'GET', url: '/api/orders' },
  { method: 'POST', url: '/api/reviews', payload: { product_id: 1, rating: 5, comment: 'x' } },
] as const;
const ADMIN_ROUTES = [
  { method: 'GET', url: '/api/users' },
  { method: 'POST', url: '/api/categories', payload: { name: 'JWT category' } },
] as const;

const base64url = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function hmac(algorithm: 'sha256' | 'sha384' | 'sha512', secret: string | Buffer, data: string): string {
  return createHmac(algorithm, secret).update(data).digest('base64url');
}

/** A JWT built by hand, signed by `sign` over `header.payload`. */
function jwt(header: object, payload: object, sign: (data: string) => string): string {
  const unsigned = `${base64url(header)}.${base64url(payload)}`;
  return `${unsigned}.${sign(unsigned)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (user: { id: number }, extra: object = {}) => ({
  sub: String(user.id),
  is_staff: false,
  type: 'access',
  iss: 'mascotas',
  aud: 'mascotas-api',
  iat: now(),
  exp: now() + 600,
  ...extra,
});
const hs256 = (payload: object, secret = TEST_JWT_SECRET) =>
  jwt({ alg: 'HS256', typ: 'JWT' }, payload, (data) => hmac('sha256', secret, data));

describe('JWT attacks on the real protected routes', () => {
  let t: TestApp;
  let customer: Account;
  let admin: Account;
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    admin = await adminAccount(t);
    customer = await registerAccount(t, 'jwt');
  });
  afterAll(async () => t?.close());

  async function statuses(
    authorization: string,
    routes: readonly { method: string; url: string; payload?: object }[],
  ) {
    const answers: string[] = [];
    for (const route of routes) {
      const response = await t.app.inject({
        method: route.method as 'GET',
        url: route.url,
        headers: { authorization },
        ...(route.payload ? { payload: route.payload } : {}),
      });
      const problem = response.headers['content-type']?.toString().startsWith('application/problem+json');
      const bare = response.statusCode >= 400 && !problem ? ' (not problem+json)' : '';
      answers.push(`${route.method} ${route.url} ${response.statusCode}${bare}`);
    }
    return answers;
  }
  const all401 = (routes: readonly { method: string; url: string }[]) =>
    routes.map((route) => `${route.method} ${route.url} 401`);

  it('when a token is built by this test with the right secret and claims, then it works (so the refusals below are about the attack)', async () => {
    const answers = await statuses(`Bearer ${hs256(claims(customer))}`, [USER_ROUTES[0]]);
    expect(answers).toEqual(['GET /api/users/me 200']);
    const staff = await statuses(`Bearer ${hs256(claims(admin, { is_staff: true }))}`, [ADMIN_ROUTES[0]]);
    expect(staff).toEqual(['GET /api/users 200']);
  });

  it('when the app signs an access token, then it names its issuer and its audience', () => {
    const decoded = JSON.parse(Buffer.from(customer.access.split('.')[1] ?? '', 'base64url').toString());
    expect(decoded).toMatchObject({ iss: 'mascotas', aud: 'mascotas-api', sub: String(customer.id) });
  });

  it.each([
    ['alg none', jwt({ alg: 'none', typ: 'JWT' }, { sub: '1' }, () => '')],
    ['alg None', jwt({ alg: 'None' }, { sub: '1' }, () => '')],
    [
      'alg NONE with a signature',
      jwt({ alg: 'NONE' }, { sub: '1' }, (data) => hmac('sha256', TEST_JWT_SECRET, data)),
    ],
  ])('when the token says %s, then every protected route answers 401', async (_case, token) => {
    const payload = claims({ id: 1 }, { is_staff: true });
    const [header, , signature = ''] = token.split('.');
    const withClaims = `${header}.${base64url(payload)}.${signature}`;
    expect(await statuses(`Bearer ${withClaims}`, [...USER_ROUTES, ...ADMIN_ROUTES])).toEqual(
      all401([...USER_ROUTES, ...ADMIN_ROUTES]),
    );
  });

  it('when the token is RS256-signed with a key pair of the attacker, then it is a 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = jwt({ alg: 'RS256', typ: 'JWT' }, claims(admin, { is_staff: true }), (data) =>
      createSign('RSA-SHA256').update(data).sign(privateKey, 'base64url'),
    );
    expect(await statuses(`Bearer ${token}`, [...USER_ROUTES, ...ADMIN_ROUTES])).toEqual(
      all401([...USER_ROUTES, ...ADMIN_ROUTES]),
    );
  });

  it('when the token says RS256 but is an HMAC with the secret (the secret taken for a public key), then it is a 401', async () => {
    const token = jwt({ alg: 'RS256', typ: 'JWT' }, claims(customer), (data) =>
      hmac('sha256', TEST_JWT_SECRET, data),
    );
    expect(await statuses(`Bearer ${token}`, USER_ROUTES)).toEqual(all401(USER_ROUTES));
  });

  it.each([
    ['HS384', 'sha384'],
    ['HS512', 'sha512'],
  ] as const)(
    'when the token is %s with the right secret (only HS256 is accepted), then it is a 401',
    async (alg, hash) => {
      const token = jwt({ alg, typ: 'JWT' }, claims(customer), (data) => hmac(hash, TEST_JWT_SECRET, data));
      expect(await statuses(`Bearer ${token}`, USER_ROUTES)).toEqual(all401(USER_ROUTES));
    },
  );

  it.each([
    [
      'a wrong secret',
      () => hs256(claims({ id: 1 }, { is_staff: true }), 'another-secret-that-is-long-enough-too!!'),
    ],
    ['an empty secret', () => hs256(claims({ id: 1 }), '')],
    ['an expired exp', () => hs256(claims({ id: 1 }, { iat: now() - 7200, exp: now() - 3600 }))],
    ['a not-yet-valid nbf', () => hs256(claims({ id: 1 }, { nbf: now() + 3600 }))],
    ['no exp', () => hs256({ sub: '1', type: 'access', iss: 'mascotas', aud: 'mascotas-api' })],
    ['no sub', () => hs256({ type: 'access', iss: 'mascotas', aud: 'mascotas-api', exp: now() + 600 })],
    ['another issuer', () => hs256(claims({ id: 1 }, { iss: 'someone-else' }))],
    ['no issuer', () => hs256(claims({ id: 1 }, { iss: undefined }))],
    ['another audience', () => hs256(claims({ id: 1 }, { aud: 'another-api' }))],
    ['another audience among several', () => hs256(claims({ id: 1 }, { aud: ['another-api'] }))],
    ['no audience', () => hs256(claims({ id: 1 }, { aud: undefined }))],
    ['type refresh', () => hs256(claims({ id: 1 }, { type: 'refresh' }))],
    ['a sub that is not a user id', () => hs256(claims({ id: 1 }, { sub: '1 OR 1=1' }))],
    ['the sub of nobody', () => hs256(claims({ id: 987_654 }))],
  ])('when the token has %s, then every protected route answers 401', async (_case, token) => {
    expect(await statuses(`Bearer ${token()}`, [...USER_ROUTES, ...ADMIN_ROUTES])).toEqual(
      all401([...USER_ROUTES, ...ADMIN_ROUTES]),
    );
  });

  it('when the claims of a real token are changed (is_staff, sub) and the signature kept, then it is a 401', async () => {
    const [header, payload, signature] = customer.access.split('.') as [string, string, string];
    const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const promoted = `${header}.${base64url({ ...decoded, is_staff: true })}.${signature}`;
    const someoneElse = `${header}.${base64url({ ...decoded, sub: String(admin.id) })}.${signature}`;
    expect(await statuses(`Bearer ${promoted}`, [...USER_ROUTES, ...ADMIN_ROUTES])).toEqual(
      all401([...USER_ROUTES, ...ADMIN_ROUTES]),
    );
    expect(await statuses(`Bearer ${someoneElse}`, USER_ROUTES)).toEqual(all401(USER_ROUTES));
    // The untouched token still works, and is no admin's.
    expect(await statuses(`Bearer ${customer.access}`, [USER_ROUTES[0], ADMIN_ROUTES[0]])).toEqual([
      'GET /api/users/me 200',
      'GET /api/users 403',
    ]);
  });

  it.each([
    ['no scheme', (token: string) => token],
    ['Basic', (token: string) => `Basic ${token}`],
    ['an empty bearer', () => 'Bearer '],
    ['garbage', () => 'Bearer a.b.c'],
    ['a huge token', () => `Bearer ${'a'.repeat(6000)}.${'b'.repeat(6000)}.c`],
    ['two tokens', (token: string) => `Bearer ${token} ${token}`],
  ])('when the Authorization header has %s, then it is a 401, never a 5xx', async (_case, header) => {
    expect(await statuses(header(customer.access), USER_ROUTES)).toEqual(all401(USER_ROUTES));
  });

  it('when an access token is presented as a refresh token, then it is a 401', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/token/refresh',
      payload: { refresh: customer.access.slice(0, 256) },
    });
    expect(response.statusCode).toBe(401);
    const whole = await t.app.inject({
      method: 'POST',
      url: '/api/users/token/refresh',
      payload: { refresh: customer.access },
    });
    expect([400, 401]).toContain(whole.statusCode);
  });

  it('when a refresh token is presented as a bearer, then every protected route answers 401', async () => {
    expect(await statuses(`Bearer ${customer.refresh}`, USER_ROUTES)).toEqual(all401(USER_ROUTES));
  });

  it('when an admin deactivates a user, then that user’s live access token, refresh token and password stop working', async () => {
    const user = await registerAccount(t, 'deactivated');
    expect(await statuses(`Bearer ${user.access}`, [USER_ROUTES[0]])).toEqual(['GET /api/users/me 200']);
    await call(t, 'PATCH', `/api/users/${user.id}`, {
      headers: admin.headers,
      body: { is_active: false },
      expect: 200,
    });
    expect(await statuses(`Bearer ${user.access}`, USER_ROUTES)).toEqual(all401(USER_ROUTES));
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/users/token/refresh',
      payload: { refresh: user.refresh },
    });
    expect(refresh.statusCode).toBe(401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/users/login',
      payload: { username: user.username, password: user.password },
    });
    expect(login.statusCode).toBe(401);
  });

  it('when an admin is demoted, then their live token no longer opens staff routes', async () => {
    const staff = await registerAccount(t, 'demoted');
    await call(t, 'PATCH', `/api/users/${staff.id}`, {
      headers: admin.headers,
      body: { is_staff: true },
      expect: 200,
    });
    // A token signed while the user was a customer, yet staff is decided by the platform's record, not the claim.
    expect(await statuses(`Bearer ${staff.access}`, [ADMIN_ROUTES[0]])).toEqual(['GET /api/users 200']);
    await call(t, 'PATCH', `/api/users/${staff.id}`, {
      headers: admin.headers,
      body: { is_staff: false },
      expect: 200,
    });
    expect(await statuses(`Bearer ${staff.access}`, [ADMIN_ROUTES[0]])).toEqual(['GET /api/users 403']);
  });
});
