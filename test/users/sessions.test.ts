import argon2 from 'argon2';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  bearer,
  buildUsersApp,
  handMadeJwt,
  login,
  PASSWORD,
  refresh,
  register,
  signUp,
  uniqueName,
} from './users-client.js';

function me(t: TestApp, headers: Record<string, string>) {
  return t.app.inject({ method: 'GET', url: '/api/users/me', headers });
}

describe('users: login, tokens and logout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildUsersApp();
  });
  afterAll(async () => t.close());

  it('when a user logs in with their username, then they get an access token, a refresh token and themselves', async () => {
    const username = uniqueName('Bruno');
    await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    const response = await login(t, { username: username.toLowerCase(), password: PASSWORD });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body).sort()).toEqual(['access', 'refresh', 'user']);
    expect(body.user).toMatchObject({ username, email: `${username.toLowerCase()}@example.com` });
    expect(body.refresh).not.toContain('.');
    const [header, claims] = body.access
      .split('.')
      .slice(0, 2)
      .map((part: string) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(claims).toMatchObject({ sub: String(body.user.id), is_staff: false, type: 'access' });
    expect(claims.exp - claims.iat).toBe(900);
    expect((await me(t, bearer(body.access))).json()).toMatchObject({ id: body.user.id });
  });

  it('when a user logs in with their email, in the email or in the username field, then both work', async () => {
    const username = uniqueName();
    await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    const byEmail = await login(t, { email: ` ${username.toUpperCase()}@EXAMPLE.COM`, password: PASSWORD });
    expect(byEmail.statusCode).toBe(200);
    const inUsername = await login(t, { username: `${username}@example.com`, password: PASSWORD });
    expect(inUsername.statusCode).toBe(200);
    expect(inUsername.json().user.username).toBe(username);
  });

  it("when a username from before the no-@ rule is someone else's email, then that email still reaches its own account", async () => {
    const victim = uniqueName('vic');
    const email = `${victim}@example.com`;
    await register(t, { username: victim, email, password: PASSWORD });
    // Registration refuses such a name now: the row is made the way an older version stored it.
    const squatter = 'squatter password 123';
    await t.database.db.execute(
      sql`insert into users.users (username, email, password_hash)
          values (${email}, ${`${uniqueName('squat')}@example.com`}, ${await argon2.hash(squatter)})`,
    );
    const asVictim = await login(t, { username: email, password: PASSWORD }, '10.9.2.1');
    expect(asVictim.statusCode).toBe(200);
    expect(asVictim.json().user.username).toBe(victim);
    const asSquatter = await login(t, { username: email, password: squatter }, '10.9.2.2');
    expect(asSquatter.statusCode).toBe(401);
  });

  it('when the password is wrong or the user unknown, then both are the same 401', async () => {
    const session = await signUp(t);
    const wrong = await login(t, { username: session.username, password: 'not the password' }, '10.9.0.1');
    const unknown = await login(t, { username: uniqueName('ghost'), password: PASSWORD }, '10.9.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const { request_id: _a, ...wrongBody } = wrong.json();
    const { request_id: _b, ...unknownBody } = unknown.json();
    expect(wrongBody).toEqual(unknownBody);
    expect(wrongBody).toMatchObject({ code: 'USERS.INVALID_CREDENTIALS' });
    expect(wrong.headers['content-type']).toContain('application/problem+json');
  });

  it('when the user is unknown, then the login still does the Argon2 work of a real one', async () => {
    const session = await signUp(t);
    const verify = vi.spyOn(argon2, 'verify');
    try {
      await login(t, { username: session.username, password: 'wrong password' }, '10.9.1.1');
      await login(t, { username: uniqueName('ghost'), password: 'wrong password' }, '10.9.1.2');
      expect(verify).toHaveBeenCalledTimes(2);
      const [known, unknown] = verify.mock.calls.map(([hash]) => hash.split('$').slice(0, 4).join('$'));
      expect(unknown).toBe(known);
    } finally {
      verify.mockRestore();
    }
  });

  it('when both username and email or neither are given, then it is a 400', async () => {
    const both = await login(t, { username: 'a', email: 'a@example.com', password: PASSWORD });
    expect(both.statusCode).toBe(400);
    const neither = await login(t, { password: PASSWORD });
    expect(neither.statusCode).toBe(400);
    const controlCharacter = await login(t, { username: 'a\u0000b', password: PASSWORD });
    expect(controlCharacter.statusCode).toBe(400);
    const unknownField = await login(t, { username: 'a', password: PASSWORD, remember: true });
    expect(unknownField.json()).toMatchObject({ errors: [{ path: 'body.remember' }] });
  });

  it('when a refresh token is used, then it is rotated and the old one stops working', async () => {
    const session = await signUp(t);
    const first = await refresh(t, session.refresh);
    expect(first.statusCode).toBe(200);
    const pair = first.json();
    expect(Object.keys(pair).sort()).toEqual(['access', 'refresh']);
    expect(pair.refresh).not.toBe(session.refresh);
    expect((await me(t, bearer(pair.access))).statusCode).toBe(200);
    const second = await refresh(t, pair.refresh);
    expect(second.statusCode).toBe(200);
  });

  it('when a rotated refresh token is presented again, then it is a 401 and its whole family is revoked', async () => {
    const session = await signUp(t);
    const other = await login(t, { username: session.username, password: PASSWORD });
    const rotated = (await refresh(t, session.refresh)).json().refresh;
    const reuse = await refresh(t, session.refresh);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'USERS.INVALID_REFRESH_TOKEN' });
    expect((await refresh(t, rotated)).statusCode).toBe(401);
    expect((await refresh(t, other.json().refresh)).statusCode).toBe(200);
  });

  it('when the refresh token is unknown, empty or has extra fields, then it is a 401 or a 400', async () => {
    expect((await refresh(t, 'not-a-token')).statusCode).toBe(401);
    expect((await refresh(t, '')).statusCode).toBe(400);
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/users/token/refresh',
      payload: { refresh: 'x', access: 'y' },
    });
    expect(extra.statusCode).toBe(400);
  });

  it('when a refresh token has expired, then it is a 401', async () => {
    const session = await signUp(t);
    await t.database.db.execute(
      sql`update users.refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${session.id}`,
    );
    expect((await refresh(t, session.refresh)).statusCode).toBe(401);
  });

  it('when refresh tokens are stored, then only their SHA-256 hashes are kept', async () => {
    const session = await signUp(t);
    const rows = await queryRows<{ token_hash: string }>(
      t.database.db,
      sql`select token_hash from users.refresh_tokens where user_id = ${session.id}`,
    );
    const { createHash } = await import('node:crypto');
    expect(rows.map((row) => row.token_hash)).toEqual([
      createHash('sha256').update(session.refresh).digest('hex'),
    ]);
  });

  it('when a user logs out, then that refresh token is revoked and the answer is 204', async () => {
    const session = await signUp(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/logout',
      headers: session.headers,
      payload: { refresh: session.refresh },
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await refresh(t, session.refresh)).statusCode).toBe(401);
  });

  it("when someone logs out with another user's refresh token, then that token keeps working", async () => {
    const victim = await signUp(t);
    const other = await signUp(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/logout',
      headers: other.headers,
      payload: { refresh: victim.refresh },
    });
    expect(response.statusCode).toBe(204);
    expect((await refresh(t, victim.refresh)).statusCode).toBe(200);
  });

  it('when logout has no access token, then it is a 401', async () => {
    const session = await signUp(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/logout',
      payload: { refresh: session.refresh },
    });
    expect(response.statusCode).toBe(401);
    expect((await refresh(t, session.refresh)).statusCode).toBe(200);
  });

  describe('access tokens that must be refused', () => {
    let session: Awaited<ReturnType<typeof signUp>>;
    const now = () => Math.floor(Date.now() / 1000);
    beforeAll(async () => {
      session = await signUp(t);
    });

    it('when a token is built by hand with the right key, then it is accepted (the control case)', async () => {
      const token = handMadeJwt(
        { alg: 'HS256', typ: 'JWT' },
        {
          sub: String(session.id),
          is_staff: false,
          type: 'access',
          iss: 'mascotas',
          aud: 'mascotas-api',
          iat: now(),
          exp: now() + 60,
        },
      );
      expect((await me(t, bearer(token))).statusCode).toBe(200);
    });

    it('when the token has expired, then it is a 401', async () => {
      const token = handMadeJwt(
        { alg: 'HS256', typ: 'JWT' },
        {
          sub: String(session.id),
          is_staff: false,
          type: 'access',
          iss: 'mascotas',
          aud: 'mascotas-api',
          iat: now() - 1000,
          exp: now() - 100,
        },
      );
      const response = await me(t, bearer(token));
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
    });

    it('when the payload was tampered with, then it is a 401', async () => {
      const [header, , signature] = session.access.split('.');
      const claims = JSON.parse(Buffer.from(session.access.split('.')[1]!, 'base64url').toString());
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: '1', is_staff: true })).toString(
        'base64url',
      );
      expect((await me(t, bearer(`${header}.${forged}.${signature}`))).statusCode).toBe(401);
    });

    it('when the token says alg none and has no signature, then it is a 401', async () => {
      const token = handMadeJwt(
        { alg: 'none', typ: 'JWT' },
        {
          sub: String(session.id),
          is_staff: true,
          type: 'access',
          iss: 'mascotas',
          aud: 'mascotas-api',
          iat: now(),
          exp: now() + 60,
        },
        null,
      );
      expect((await me(t, bearer(token))).statusCode).toBe(401);
    });

    it('when the token is signed with another key, then it is a 401', async () => {
      const token = handMadeJwt(
        { alg: 'HS256', typ: 'JWT' },
        {
          sub: String(session.id),
          is_staff: false,
          type: 'access',
          iss: 'mascotas',
          aud: 'mascotas-api',
          iat: now(),
          exp: now() + 60,
        },
        'another-secret-that-is-long-enough-for-hs256',
      );
      expect((await me(t, bearer(token))).statusCode).toBe(401);
    });

    it('when a refresh token is sent as the bearer, then it is a 401', async () => {
      expect((await me(t, bearer(session.refresh))).statusCode).toBe(401);
    });

    it('when there is no Authorization header, then it is a 401', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/users/me' })).statusCode).toBe(401);
    });
  });
});
