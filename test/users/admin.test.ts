import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import {
  ADMIN,
  buildUsersApp,
  logInAsAdmin,
  login,
  PASSWORD,
  refresh,
  type Session,
  signUp,
} from './users-client.js';

describe('users: what admins may do', () => {
  let t: TestApp;
  let admin: Session;
  beforeAll(async () => {
    t = await buildUsersApp();
    admin = await logInAsAdmin(t);
  });
  afterAll(async () => t.close());

  const patchUser = (headers: Record<string, string>, id: number, payload: object) =>
    t.app.inject({ method: 'PATCH', url: `/api/users/${id}`, headers, payload });
  const me = (session: Session) =>
    t.app.inject({ method: 'GET', url: '/api/users/me', headers: session.headers });

  it('when an admin lists users, then they get a page in id order with links', async () => {
    for (let index = 0; index < 3; index++) await signUp(t);
    const response = await t.app.inject({ method: 'GET', url: '/api/users?limit=2', headers: admin.headers });
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.count).toBeGreaterThanOrEqual(4);
    expect(page.results).toHaveLength(2);
    expect(page.results[0]).toMatchObject({ email: ADMIN.email, username: 'admin', is_staff: true });
    expect(page.results[1].id).toBeGreaterThan(page.results[0].id);
    expect(page.previous).toBeNull();
    expect(page.next).toContain('page=2');
    expect(response.body).not.toMatch(/password|argon2/i);
    for (const page of ['999', String(Number.MAX_SAFE_INTEGER)]) {
      const past = await t.app.inject({
        method: 'GET',
        url: `/api/users?page=${page}`,
        headers: admin.headers,
      });
      expect(past.statusCode, page).toBe(200);
      expect(past.json()).toMatchObject({ results: [], next: null });
    }
  });

  it('when the page query is invalid or unknown, then it is a 400', async () => {
    for (const query of ['page=0', 'page=x', 'limit=1.5', 'search=ann']) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/api/users?${query}`,
        headers: admin.headers,
      });
      expect(response.statusCode, query).toBe(400);
    }
  });

  it('when an admin reads a user, then they get it, and an unknown id is a 404', async () => {
    const customer = await signUp(t);
    const found = await t.app.inject({
      method: 'GET',
      url: `/api/users/${customer.id}`,
      headers: admin.headers,
    });
    expect(found.json()).toMatchObject({ id: customer.id, username: customer.username });
    const missing = await t.app.inject({ method: 'GET', url: '/api/users/999999', headers: admin.headers });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'USERS.NOT_FOUND' });
    const malformed = await t.app.inject({ method: 'GET', url: '/api/users/abc', headers: admin.headers });
    expect(malformed.statusCode).toBe(400);
    const tooBig = await t.app.inject({
      method: 'GET',
      url: '/api/users/99999999999',
      headers: admin.headers,
    });
    expect(tooBig.statusCode).toBe(400);
  });

  it('when a customer calls the admin routes, then each is a 403, and without a token a 401', async () => {
    const customer = await signUp(t);
    const calls = [
      { method: 'GET' as const, url: '/api/users' },
      { method: 'GET' as const, url: `/api/users/${customer.id}` },
      { method: 'PATCH' as const, url: `/api/users/${customer.id}`, payload: { is_staff: true } },
    ];
    for (const call of calls) {
      const forbidden = await t.app.inject({ ...call, headers: customer.headers });
      expect(forbidden.statusCode, call.url).toBe(403);
      expect(forbidden.headers['content-type']).toContain('application/problem+json');
      expect((await t.app.inject(call)).statusCode, call.url).toBe(401);
    }
    expect((await me(customer)).json().is_staff).toBe(false);
  });

  it('when an admin promotes a customer, then the same access token has admin rights at once', async () => {
    const customer = await signUp(t);
    const promoted = await patchUser(admin.headers, customer.id, { is_staff: true });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ id: customer.id, is_staff: true, is_active: true });
    const list = await t.app.inject({ method: 'GET', url: '/api/users', headers: customer.headers });
    expect(list.statusCode).toBe(200);
    await patchUser(admin.headers, customer.id, { is_staff: false });
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/users', headers: customer.headers })).statusCode,
    ).toBe(403);
  });

  it('when an admin deactivates a user, then their access token, login and refresh all answer 401', async () => {
    const customer = await signUp(t);
    expect((await me(customer)).statusCode).toBe(200);
    const deactivated = await patchUser(admin.headers, customer.id, { is_active: false });
    expect(deactivated.statusCode).toBe(200);
    expect(deactivated.json()).toMatchObject({ is_active: false });
    expect((await me(customer)).statusCode).toBe(401);
    expect((await refresh(t, customer.refresh)).statusCode).toBe(401);
    const refused = await login(t, { username: customer.username, password: PASSWORD });
    expect(refused.statusCode).toBe(401);
    const wrong = await login(t, { username: customer.username, password: 'not the password' }, '10.9.9.9');
    expect(refused.json().detail).toBe(wrong.json().detail);
  });

  it('when an admin reactivates a user, then they can log in again but their old refresh tokens stay revoked', async () => {
    const customer = await signUp(t);
    await patchUser(admin.headers, customer.id, { is_active: false });
    await patchUser(admin.headers, customer.id, { is_active: true });
    expect((await refresh(t, customer.refresh)).statusCode).toBe(401);
    expect((await login(t, { username: customer.username, password: PASSWORD })).statusCode).toBe(200);
  });

  it('when the admin patch has other fields or wrong types, then it is a 400', async () => {
    const customer = await signUp(t);
    expect((await patchUser(admin.headers, customer.id, { email: 'x@example.com' })).statusCode).toBe(400);
    expect((await patchUser(admin.headers, customer.id, { is_staff: 'true' })).statusCode).toBe(400);
  });

  it('when an admin patches an unknown user, then it is a 404', async () => {
    expect((await patchUser(admin.headers, 999999, { is_active: false })).statusCode).toBe(404);
  });

  it('when an admin tries to deactivate or demote themselves, then it is a 409 and nothing changes', async () => {
    const own = await patchUser(admin.headers, admin.id, { is_active: false });
    expect(own.statusCode).toBe(409);
    expect(own.json()).toMatchObject({ code: 'USERS.SELF_LOCKOUT' });
    expect((await patchUser(admin.headers, admin.id, { is_staff: false })).statusCode).toBe(409);
    expect((await me(admin)).json()).toMatchObject({ is_staff: true, is_active: true });
  });
});
