import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { buildUsersApp, login, PASSWORD, refresh, signUp, uniqueName } from './users-client.js';

describe('users: my profile and my password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildUsersApp();
  });
  afterAll(async () => t.close());

  const patchMe = (headers: Record<string, string>, payload: object) =>
    t.app.inject({ method: 'PATCH', url: '/api/users/me', headers, payload });
  const changePassword = (headers: Record<string, string>, payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/users/me/password', headers, payload });

  it('when a user reads /me, then they get themselves', async () => {
    const session = await signUp(t, { first_name: 'Carla' });
    const response = await t.app.inject({ method: 'GET', url: '/api/users/me', headers: session.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: session.id,
      username: session.username,
      first_name: 'Carla',
    });
    expect(response.body).not.toMatch(/password|hash/i);
  });

  it('when a user patches their profile, then every given field changes and the others stay', async () => {
    const session = await signUp(t, { first_name: 'Dora', last_name: 'Dias' });
    const email = `${uniqueName()}@example.com`;
    const response = await patchMe(session.headers, {
      last_name: 'Duarte',
      email: ` ${email.toUpperCase()} `,
      phone: '+34 600 000 000',
      address: 'Calle Mayor 1\n28013 Madrid',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      first_name: 'Dora',
      last_name: 'Duarte',
      email,
      phone: '+34 600 000 000',
      address: 'Calle Mayor 1\n28013 Madrid',
      username: session.username,
    });
    expect((await login(t, { email, password: PASSWORD })).statusCode).toBe(200);
  });

  it('when a user registers with a locale and then changes and clears it, then the profile shows each', async () => {
    const session = await signUp(t, { locale: 'es-AR' });
    const me = await t.app.inject({ method: 'GET', url: '/api/users/me', headers: session.headers });
    expect(me.json().locale).toBe('es-AR');
    expect((await patchMe(session.headers, { locale: 'en-GB' })).json().locale).toBe('en-GB');
    expect((await patchMe(session.headers, { first_name: 'Eva' })).json().locale).toBe('en-GB');
    expect((await patchMe(session.headers, { locale: null })).json().locale).toBeNull();
  });

  it.each([['e'], ['es_AR'], ['es-'], ['x'.repeat(36)], ['es AR'], [12]])(
    'when the locale is %j, then it is a 400 naming the field',
    async (locale) => {
      const session = await signUp(t);
      const response = await patchMe(session.headers, { locale });
      expect(response.statusCode).toBe(400);
      expect(JSON.stringify(response.json())).toContain('locale');
    },
  );

  it('when the patch is empty, then the user is answered unchanged', async () => {
    const session = await signUp(t);
    const response = await patchMe(session.headers, {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: session.id, email: session.email });
  });

  it.each([
    ['is_staff', { is_staff: true }],
    ['id', { id: 1 }],
    ['username', { username: 'someone' }],
    ['is_active', { is_active: false }],
    ['password', { password: 'a new password' }],
  ])('when the patch has %s, then it is a 400 and nothing changes', async (field, payload) => {
    const session = await signUp(t);
    const response = await patchMe(session.headers, { first_name: 'Eve', ...payload });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: `body.${field}` }] });
    const after = await t.app.inject({ method: 'GET', url: '/api/users/me', headers: session.headers });
    expect(after.json()).toMatchObject({ first_name: '', is_staff: false });
  });

  it.each([
    ['a phone of 33 characters', { phone: '1'.repeat(33) }],
    ['an address of 501 characters', { address: 'a'.repeat(501) }],
    ['a malformed email', { email: 'not-an-email' }],
    ['a null first name', { first_name: null }],
    ['a NUL character in the phone', { phone: '600\u0000' }],
    ['a NUL character in the address', { address: 'Calle\u0000' }],
  ])('when the patch has %s, then it is a 400', async (_case, payload) => {
    const session = await signUp(t);
    expect((await patchMe(session.headers, payload)).statusCode).toBe(400);
  });

  it("when the new email is someone else's, then it is a 409", async () => {
    const first = await signUp(t);
    const second = await signUp(t);
    const response = await patchMe(second.headers, { email: first.email.toUpperCase() });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'USERS.EMAIL_TAKEN' });
  });

  it('when /me is called without a token, then it is a 401', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      payload: { first_name: 'x' },
    });
    expect(response.statusCode).toBe(401);
  });

  it('when a user changes their password, then the new one works, the old does not, and every refresh token is revoked', async () => {
    const session = await signUp(t);
    const second = (await login(t, { username: session.username, password: PASSWORD })).json();
    const response = await changePassword(session.headers, {
      current_password: PASSWORD,
      new_password: 'a brand new password',
    });
    expect(response.statusCode).toBe(204);
    expect((await refresh(t, session.refresh)).statusCode).toBe(401);
    expect((await refresh(t, second.refresh)).statusCode).toBe(401);
    expect((await login(t, { username: session.username, password: PASSWORD })).statusCode).toBe(401);
    const fresh = await login(t, { username: session.username, password: 'a brand new password' });
    expect(fresh.statusCode).toBe(200);
  });

  it('when the current password is wrong, then it is a 400 and nothing changes', async () => {
    const session = await signUp(t);
    const response = await changePassword(session.headers, {
      current_password: 'not my password',
      new_password: 'a brand new password',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'USERS.WRONG_PASSWORD',
      errors: [{ path: 'body.current_password' }],
    });
    expect((await refresh(t, session.refresh)).statusCode).toBe(200);
    expect((await login(t, { username: session.username, password: PASSWORD })).statusCode).toBe(200);
  });

  it('when the new password is too short or the body has extra fields, then it is a 400', async () => {
    const session = await signUp(t);
    const short = await changePassword(session.headers, {
      current_password: PASSWORD,
      new_password: 'short',
    });
    expect(short.statusCode).toBe(400);
    const extra = await changePassword(session.headers, {
      current_password: PASSWORD,
      new_password: 'long enough password',
      confirm: 'long enough password',
    });
    expect(extra.statusCode).toBe(400);
  });

  it('when the new password is easy to guess, then it is a 400 with advice, no attempt is counted and the old password still works', async () => {
    const session = await signUp(t);
    for (const weak of ['password123', `${session.username}2025`, 'iloveyou1', 'x'.repeat(12)]) {
      const answer = await changePassword(session.headers, {
        current_password: PASSWORD,
        new_password: weak,
      });
      expect(answer.statusCode, weak).toBe(400);
      expect(answer.json()).toMatchObject({
        code: 'USERS.WEAK_PASSWORD',
        errors: [{ path: 'body.new_password' }],
      });
      expect(answer.json().detail).toContain('too easy to guess');
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      await changePassword(session.headers, { current_password: PASSWORD, new_password: 'password' });
    }
    expect((await login(t, { username: session.username, password: PASSWORD })).statusCode).toBe(200);
    const changed = await changePassword(session.headers, {
      current_password: PASSWORD,
      new_password: 'a brand new password',
    });
    expect(changed.statusCode).toBe(204);
  });

  it('when the current password is guessed too often, then it is a 429 before checking it', async () => {
    const session = await signUp(t);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await changePassword(session.headers, {
        current_password: `guess ${attempt}`,
        new_password: 'a brand new password',
      });
      expect(wrong.statusCode).toBe(400);
    }
    const blocked = await changePassword(session.headers, {
      current_password: PASSWORD,
      new_password: 'a brand new password',
    });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });
});
