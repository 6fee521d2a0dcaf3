import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { estimatorProcessId, judgePassword } from '../../src/platform/password-strength.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildUsersApp, login, PASSWORD, register, uniqueName } from './users-client.js';

describe('users: registration', () => {
  let t: TestApp;
  let address = 0;
  beforeAll(async () => {
    t = await buildUsersApp();
  });
  afterAll(async () => t.close());

  it('when a visitor registers, then the answer is 201 with the user and nothing secret', async () => {
    const username = uniqueName('Ana');
    const response = await register(t, {
      username,
      email: `  ${username.toUpperCase()}@Example.COM `,
      password: PASSWORD,
      first_name: 'Ana',
      last_name: 'Lima',
    });
    expect(response.statusCode).toBe(201);
    const user = response.json();
    expect(Object.keys(user).sort()).toEqual(
      [
        'address',
        'date_joined',
        'email',
        'email_verified',
        'first_name',
        'id',
        'is_active',
        'is_staff',
        'last_name',
        'locale',
        'phone',
        'username',
      ].sort(),
    );
    expect(user).toMatchObject({
      username,
      email: `${username.toLowerCase()}@example.com`,
      first_name: 'Ana',
      last_name: 'Lima',
      phone: '',
      address: '',
      is_staff: false,
      is_active: true,
    });
    expect(Number.isInteger(user.id)).toBe(true);
    expect(new Date(user.date_joined).toISOString()).toBe(user.date_joined);
    expect(response.body).not.toContain(PASSWORD);
    expect(response.body).not.toContain('argon2');
  });

  it('when the stored password is looked at, then it is an Argon2id hash with the OWASP costs', async () => {
    const username = uniqueName();
    await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    const [row] = await queryRows<{ password_hash: string }>(
      t.database.db,
      sql`select password_hash from users.users where username = ${username}`,
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('when the body has is_staff, then it is a 400 naming the field and nobody is created', async () => {
    const username = uniqueName();
    const response = await register(t, {
      username,
      email: `${username}@example.com`,
      password: PASSWORD,
      is_staff: true,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.is_staff' }] });
    expect((await login(t, { username, password: PASSWORD })).statusCode).toBe(401);
  });

  it.each([
    ['a password of 7 characters', { password: 'short12' }],
    ['a password of 129 characters', { password: 'x'.repeat(129) }],
    ['no email', { email: undefined }],
    ['an email without a domain', { email: 'nobody@' }],
    ['an email of 255 characters', { email: `${'a'.repeat(243)}@example.com` }],
    ['a username with a space', { username: 'two words' }],
    ['a username that looks like an email', { username: 'vic@example.com' }],
    ['a username with an @', { username: 'vic@home' }],
    ['a username of 151 characters', { username: 'u'.repeat(151) }],
    ['an empty username', { username: '' }],
    ['a first name of 151 characters', { first_name: 'n'.repeat(151) }],
    ['a password that is a number', { password: 12345678 }],
    ['a NUL character in the first name', { first_name: 'An\u0000a' }],
    ['a NUL character in the email', { email: 'a\u0000b@example.com' }],
  ])('when the body has %s, then it is a 400', async (_case, fields) => {
    const username = uniqueName();
    const body = { username, email: `${username}@example.com`, password: PASSWORD, ...fields };
    const response = await register(t, body);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('when the password has exactly 8 characters and is no common one, and the username .+-_, then it is accepted', async () => {
    const username = `${uniqueName()}.a+b-c_d`;
    const response = await register(t, {
      username,
      email: `${uniqueName()}@example.com`,
      password: 'Kq7#vz!P',
    });
    expect(response.statusCode).toBe(201);
  });

  it.each([
    ['a top password', 'password123', 'used password'],
    ['digits in a row', '1234567890', 'used password'],
    ['a keyboard walk', 'qwertyuiop12', 'similar to a commonly used'],
    ['the username and a year', '{username}2024', 'personal'],
    ['the shop name', 'Mascotas2024!', 'personal'],
    ['a word with l33t and a digit', 'P@ssw0rd1', 'similar to a commonly used'],
  ])(
    'when the password is %s, then it is a 400 that says why and how to do better, and nobody is created',
    async (_case, template, why) => {
      const username = uniqueName();
      const password = template.replace('{username}', username);
      const response = await register(t, { username, email: `${username}@example.com`, password });
      expect(response.statusCode).toBe(400);
      const problem = response.json();
      expect(problem).toMatchObject({ code: 'USERS.WEAK_PASSWORD', errors: [{ path: 'body.password' }] });
      expect(problem.detail).toContain(why);
      expect(problem.detail).toMatch(/Add|Avoid|Use/u);
      expect(response.body).not.toContain(password);
      expect((await login(t, { username, password }, `10.4.0.${++address}`)).statusCode).toBe(401);
      const strong = await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
      expect(strong.statusCode).toBe(201);
    },
  );

  it('when the password holds unusual characters, then it is accepted and works for login', async () => {
    const username = uniqueName();
    const password = 'p\u0000ss wörd ✓ \u{1F436}';
    const created = await register(t, { username, email: `${username}@example.com`, password });
    expect(created.statusCode).toBe(201);
    expect((await login(t, { username, password })).statusCode).toBe(200);
  });

  it('when the username is taken in another case, then it is a 409', async () => {
    const username = uniqueName('Case');
    const first = await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    expect(first.statusCode).toBe(201);
    const again = await register(t, {
      username: username.toUpperCase(),
      email: `other.${username}@example.com`,
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ status: 409, code: 'USERS.USERNAME_TAKEN' });
  });

  it('when the email is taken in another case or with blanks, then it is a 409', async () => {
    const username = uniqueName();
    await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    const again = await register(t, {
      username: uniqueName(),
      email: ` ${username.toUpperCase()}@EXAMPLE.com`,
      password: PASSWORD,
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'USERS.EMAIL_TAKEN' });
  });

  it('when the body is not JSON, then it is a 415', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/register',
      headers: { 'content-type': 'text/plain' },
      payload: 'username=x',
    });
    expect(response.statusCode).toBe(415);
  });

  it('when the path has a trailing slash, then the route still answers', async () => {
    const username = uniqueName();
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/users/register/',
      payload: { username, email: `${username}@example.com`, password: PASSWORD },
    });
    expect(response.statusCode).toBe(201);
  });

  it('when the password estimator dies during the check, then it is a 503 with Retry-After, no user, and the next try passes', async () => {
    await judgePassword('warm the estimator up');
    const pid = estimatorProcessId() as number;
    // Stopped, it cannot answer before it is killed: the registration is waiting on it.
    process.kill(pid, 'SIGSTOP');
    const username = uniqueName('Lost');
    const body = { username, email: `${username}@example.com`, password: PASSWORD };
    const pending = register(t, body);
    await new Promise((resolve) => setTimeout(resolve, 100));
    process.kill(pid, 'SIGKILL');
    const response = await pending;
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(response.json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(response.body).not.toContain('estimator stopped');
    const rows = await queryRows(t.database.db, sql`select 1 from users.users where username = ${username}`);
    expect(rows).toHaveLength(0);
    expect((await register(t, body)).statusCode).toBe(201);
  });
});
