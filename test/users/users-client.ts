import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { usersModule } from '../../src/modules/users/index.js';
import { buildTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app.js';
import { TEST_JWT_SECRET } from '../helpers/test-config.js';

export const PASSWORD = 'correct horse battery';
export const ADMIN = { email: 'root@mascotas.test', password: 'admin password 1', username: 'admin' };

/** The users module alone (other modules are built elsewhere), with a bootstrap admin. */
export function buildUsersApp(options: TestAppOptions = {}): Promise<TestApp> {
  return buildTestApp({
    modules: [usersModule],
    ...options,
    config: {
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ...options.config,
    },
  });
}

let sequence = 0;
/** A username no other test of this process uses. */
export function uniqueName(prefix = 'user'): string {
  sequence++;
  return `${prefix}${process.pid}_${sequence}`;
}

export interface Session {
  id: number;
  username: string;
  email: string;
  access: string;
  refresh: string;
  headers: { authorization: string };
}

export function register(t: TestApp, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/api/users/register', payload: body });
}

export function login(
  t: TestApp,
  body: Record<string, unknown>,
  remoteAddress = '10.0.0.1',
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/api/users/login', payload: body, remoteAddress });
}

export function refresh(t: TestApp, token: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/api/users/token/refresh', payload: { refresh: token } });
}

export function bearer(access: string): { authorization: string } {
  return { authorization: `Bearer ${access}` };
}

/** Registers a fresh customer and logs them in. */
export async function signUp(t: TestApp, fields: Record<string, unknown> = {}): Promise<Session> {
  const username = uniqueName();
  const email = `${username}@example.com`;
  const created = await register(t, { username, email, password: PASSWORD, ...fields });
  if (created.statusCode !== 201) throw new Error(`register answered ${created.statusCode}: ${created.body}`);
  return logIn(t, { username, password: PASSWORD });
}

export async function logIn(t: TestApp, body: Record<string, unknown>): Promise<Session> {
  const answer = await login(t, body, `10.1.${sequence % 250}.${(sequence++ % 250) + 1}`);
  if (answer.statusCode !== 200) throw new Error(`login answered ${answer.statusCode}: ${answer.body}`);
  const { access, refresh: refreshToken, user } = answer.json();
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    access,
    refresh: refreshToken,
    headers: bearer(access),
  };
}

export function logInAsAdmin(t: TestApp): Promise<Session> {
  return logIn(t, { email: ADMIN.email, password: ADMIN.password });
}

/** A JWT built by hand, so a test can give it any header, claims and key. */
export function handMadeJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  secret: string | null = TEST_JWT_SECRET,
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = secret === null ? '' : createHmac('sha256', secret).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}
