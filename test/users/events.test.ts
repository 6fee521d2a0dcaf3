import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_EVENTS } from '../../src/modules/users/contract.js';
import { usersModule } from '../../src/modules/users/index.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import type { TestApp } from '../helpers/test-app.js';
import {
  ADMIN,
  buildUsersApp,
  logInAsAdmin,
  PASSWORD,
  register,
  signUp,
  uniqueName,
} from './users-client.js';

interface Heard {
  routingKey: string;
  message: EventEnvelope;
}

/** A consumer of `user_events`, as another module would be: it only records what it hears. */
function auditModule(heard: Heard[]): ModuleDefinition {
  return {
    name: 'audit',
    consumes: [{ exchange: USER_EVENTS, patterns: ['user.*'] }],
    async register(_app, { handle }) {
      handle(USER_EVENTS, async (message, _tx, delivery) => {
        heard.push({ routingKey: delivery.routingKey, message });
      });
    },
  };
}

describe('users: events through the outbox', () => {
  let t: TestApp;
  const heard: Heard[] = [];
  const about = (userId: number) => heard.filter((event) => event.message.user_id === userId);

  beforeAll(async () => {
    t = await buildUsersApp({ modules: [usersModule, auditModule(heard)] });
  });
  afterAll(async () => t.close());

  it('when the app starts with a bootstrap admin, then its user.created is heard', async () => {
    await t.settle();
    expect(heard.map((event) => event.message)).toContainEqual(
      expect.objectContaining({ event: 'user_created', email: ADMIN.email, username: 'admin', version: 1 }),
    );
  });

  it('when a user registers, then a subscriber hears user.created once with the contract payload', async () => {
    const username = uniqueName();
    const created = await register(t, { username, email: `${username}@example.com`, password: PASSWORD });
    await t.settle();
    const id = created.json().id;
    expect(about(id)).toHaveLength(1);
    const [event] = about(id);
    expect(event!.routingKey).toBe('user.created');
    const { event_id, timestamp, ...rest } = event!.message;
    expect(event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(timestamp).toISOString()).toBe(timestamp);
    expect(rest).toEqual({
      event: 'user_created',
      version: 1,
      user_id: id,
      username,
      email: `${username}@example.com`,
      is_active: true,
      locale: null,
    });
    expect(JSON.stringify(event!.message)).not.toMatch(/password|argon2/i);
  });

  it('when a profile and then the activity change, then user.updated follows with growing versions', async () => {
    const session = await signUp(t);
    const admin = await logInAsAdmin(t);
    const email = `${uniqueName()}@example.com`;
    await t.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      headers: session.headers,
      payload: { email },
    });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${session.id}`,
      headers: admin.headers,
      payload: { is_active: false },
    });
    await t.settle();
    const events = about(session.id)
      .map((event) => ({ key: event.routingKey, version: event.message.version, ...pick(event.message) }))
      .sort((a, b) => a.version - b.version);
    expect(events).toEqual([
      { key: 'user.created', version: 1, email: session.email, is_active: true },
      { key: 'user.updated', version: 2, email, is_active: true },
      { key: 'user.updated', version: 3, email, is_active: false },
    ]);
  });

  it('when a registration is refused or a password changes, then nothing is published', async () => {
    const session = await signUp(t);
    await t.settle();
    const before = heard.length;
    const duplicate = await register(t, {
      username: session.username,
      email: 'x@example.com',
      password: PASSWORD,
    });
    expect(duplicate.statusCode).toBe(409);
    await t.app.inject({
      method: 'POST',
      url: '/api/users/me/password',
      headers: session.headers,
      payload: { current_password: PASSWORD, new_password: 'another password' },
    });
    await t.settle();
    expect(heard.length).toBe(before);
  });
});

function pick(message: EventEnvelope) {
  return { email: message.email, is_active: message.is_active };
}
