import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildUsersApp, type Session, signUp } from './users-client.js';

const HOME = {
  name: 'Ana Ruiz',
  line1: 'Calle Mayor 1',
  city: 'Madrid',
  postal_code: '28013',
  country: 'ES',
};

describe('users: the address book', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildUsersApp();
  });
  afterAll(async () => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    session: Session,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url: `/api/users/me/addresses${url}`,
      headers: session.headers,
      ...(payload ? { payload } : {}),
    });
  const create = async (session: Session, fields: object = {}) => {
    const response = await call('POST', '', session, { ...HOME, ...fields });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const list = async (session: Session) => (await call('GET', '', session)).json();
  const addressEvents = async (userId: number) =>
    queryRows<{ routing_key: string; version: number; payload: Record<string, unknown> }>(
      t.database.db,
      sql`select routing_key, (message->>'version')::int as version, message as payload
          from platform.outbox
          where exchange = 'user_events' and routing_key like 'user.address_%'
            and (message->>'user_id')::int = ${userId} order by id`,
    );

  it('when a user adds an address, then 201 with Location answers it trimmed, and it is the default', async () => {
    const ana = await signUp(t);
    const response = await call('POST', '', ana, {
      name: '  Ana Ruiz ',
      line1: ' Calle Mayor 1 ',
      line2: '   ',
      city: 'Madrid',
      postal_code: ' 28013 ',
      region: ' Madrid ',
      country: 'ES',
      phone: '+34 600 123 456',
    });
    expect(response.statusCode).toBe(201);
    const address = response.json();
    expect(response.headers.location).toBe(`/api/users/me/addresses/${address.id}`);
    expect(address).toMatchObject({
      name: 'Ana Ruiz',
      line1: 'Calle Mayor 1',
      line2: null,
      postal_code: '28013',
      region: 'Madrid',
      country: 'ES',
      phone: '+34 600 123 456',
      is_default: true,
    });
    expect(new Date(address.created_at).toISOString()).toBe(address.created_at);
    expect((await call('GET', `/${address.id}`, ana)).json()).toEqual(address);
    const events = await addressEvents(ana.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      routing_key: 'user.address_saved',
      version: 1,
      payload: { address_id: address.id, user_id: ana.id, is_default: true, line2: null, country: 'ES' },
    });
  });

  it('when five fields are wrong, then 400 lists five errors and nothing is written', async () => {
    const ana = await signUp(t);
    const response = await call('POST', '', ana, {
      name: '   ',
      line1: 'Calle Mayor 1',
      city: 'x'.repeat(101),
      country: 'XX',
      phone: 'tab\there',
      nickname: 'home',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
    const paths = response
      .json()
      .errors.map((error: { path: string }) => error.path)
      .sort();
    expect(paths).toEqual([
      'body.city',
      'body.country',
      'body.name',
      'body.nickname',
      'body.phone',
      'body.postal_code',
    ]);
    expect(
      response.json().errors.find((error: { path: string }) => error.path === 'body.country').message,
    ).toContain('ISO 3166-1 alpha-2');
    expect((await list(ana)).count).toBe(0);
  });

  it('when a country is lower case or not assigned, then 400; when it is a real code, then 201', async () => {
    const ana = await signUp(t);
    for (const country of ['es', 'UK', 'ESP', 'E']) {
      expect((await call('POST', '', ana, { ...HOME, country })).statusCode, country).toBe(400);
    }
    for (const country of ['AR', 'US', 'GB', 'AX', 'ZW']) await create(ana, { country });
  });

  it('when another user asks for, changes or deletes my address, then 404 and it is unchanged', async () => {
    const ana = await signUp(t);
    const bob = await signUp(t);
    const address = await create(ana);
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { city: 'Sevilla' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await call(method, `/${address.id}`, bob, payload);
      expect(response.statusCode, method).toBe(404);
      expect(response.json().code).toBe('USERS.ADDRESS_NOT_FOUND');
    }
    expect((await list(bob)).results).toEqual([]);
    expect((await call('GET', `/${address.id}`, ana)).json()).toEqual(address);
    expect((await call('GET', '/999999', ana)).statusCode).toBe(404);
  });

  it('when an address is patched, then only the given fields change and null clears an optional one', async () => {
    const ana = await signUp(t);
    const address = await create(ana, { line2: '3º B', phone: '+34 600 000 000' });
    const response = await call('PATCH', `/${address.id}`, ana, { city: ' Sevilla ', line2: null });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      ...HOME,
      city: 'Sevilla',
      line2: null,
      phone: '+34 600 000 000',
    });
    expect((await call('PATCH', `/${address.id}`, ana, {})).json()).toEqual(response.json());
    const wrong = await call('PATCH', `/${address.id}`, ana, { name: null, country: 'es' });
    expect(wrong.statusCode).toBe(400);
    expect(
      wrong
        .json()
        .errors.map((error: { path: string }) => error.path)
        .sort(),
    ).toEqual(['body.country', 'body.name']);
    const events = await addressEvents(ana.id);
    expect(events.map((event) => event.version)).toEqual([1, 2]);
    expect(events[1]!.payload).toMatchObject({ city: 'Sevilla', line2: null });
  });

  it('when another address is made the default, then the old one stops being it, and the list shows the default first', async () => {
    const ana = await signUp(t);
    const home = await create(ana);
    const work = await create(ana, { line1: 'Gran Vía 2' });
    expect(work.is_default).toBe(false);
    const beach = await create(ana, { line1: 'Playa 3', is_default: true });
    expect(beach.is_default).toBe(true);
    let page = await list(ana);
    expect(page.results.map((address: { id: number }) => address.id)).toEqual([beach.id, home.id, work.id]);
    expect(page.results.filter((address: { is_default: boolean }) => address.is_default)).toHaveLength(1);

    const patched = await call('PATCH', `/${work.id}`, ana, { is_default: true });
    expect(patched.json().is_default).toBe(true);
    page = await list(ana);
    expect(page.results.map((address: { id: number }) => address.id)).toEqual([work.id, home.id, beach.id]);
    expect(page.results.filter((address: { is_default: boolean }) => address.is_default)).toHaveLength(1);

    const refused = await call('PATCH', `/${work.id}`, ana, { is_default: false });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('USERS.DEFAULT_ADDRESS_REQUIRED');
    const saved = (await addressEvents(ana.id)).filter((event) => event.routing_key === 'user.address_saved');
    expect(saved.at(-2)!.payload).toMatchObject({ address_id: beach.id, is_default: false });
    expect(saved.at(-1)!.payload).toMatchObject({ address_id: work.id, is_default: true });
  });

  it('when the default is deleted, then the newest remaining address becomes it, and the last leaves none', async () => {
    const ana = await signUp(t);
    const first = await create(ana);
    const second = await create(ana, { line1: 'Gran Vía 2' });
    const third = await create(ana, { line1: 'Playa 3' });
    expect((await call('DELETE', `/${first.id}`, ana)).statusCode).toBe(204);
    expect((await call('GET', `/${first.id}`, ana)).statusCode).toBe(404);
    expect(
      (await list(ana)).results.map((a: { id: number; is_default: boolean }) => [a.id, a.is_default]),
    ).toEqual([
      [third.id, true],
      [second.id, false],
    ]);
    const events = await addressEvents(ana.id);
    expect(events.at(-2)).toMatchObject({ routing_key: 'user.address_deleted', version: 2 });
    expect(events.at(-1)).toMatchObject({
      routing_key: 'user.address_saved',
      payload: { address_id: third.id, is_default: true },
    });
    expect((await call('DELETE', `/${second.id}`, ana)).statusCode).toBe(204);
    expect((await call('DELETE', `/${third.id}`, ana)).statusCode).toBe(204);
    expect((await list(ana)).count).toBe(0);
    expect((await create(ana, { is_default: false })).is_default).toBe(true);
  });

  it('when a user has 20 addresses, then the 21st is a 409 and deleting one makes room', async () => {
    const ana = await signUp(t);
    const made = await Promise.all(
      Array.from({ length: 20 }, (_, index) => create(ana, { line1: `Calle ${index}` })),
    );
    expect(made.filter((address) => address.is_default)).toHaveLength(1);
    const refused = await call('POST', '', ana, HOME);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('USERS.ADDRESS_LIMIT');
    expect((await list(ana)).count).toBe(20);
    expect((await call('DELETE', `/${made[5].id}`, ana)).statusCode).toBe(204);
    await create(ana);
  });

  it('when there is no token, then every address route answers 401', async () => {
    for (const [method, url] of [
      ['GET', ''],
      ['POST', ''],
      ['GET', '/1'],
      ['PATCH', '/1'],
      ['DELETE', '/1'],
    ] as const) {
      const response = await t.app.inject({ method, url: `/api/users/me/addresses${url}`, payload: HOME });
      expect(response.statusCode, `${method} ${url}`).toBe(401);
    }
  });
});
