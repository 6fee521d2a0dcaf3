import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../../src/modules/cart/index.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { FakeCatalog, fakeCategoriesModule, fakeProductsModule } from './fake-catalog.js';

/** Owns `user_events` so that the tests can deliver address events as the users module would. */
const fakeUsersModule: ModuleDefinition = {
  name: 'fake_users',
  publishes: { exchange: 'user_events', events: [] },
  consumes: [],
  async register() {},
};

const USER = 300;

/** The cart's copy of the address books: events late, repeated and out of order. */
describe('cart: the address book as the cart knows it', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let headers: { authorization: string };
  let clock = Date.parse('2026-03-01T12:00:00.000Z');

  beforeAll(async () => {
    t = await buildTestApp({
      modules: [cartModule, fakeProductsModule, fakeCategoriesModule, fakeUsersModule],
    });
    catalog = new FakeCatalog(t);
    await catalog.category(1, 1, 'Dog food');
    await catalog.product(1, 1, { name: 'Kibble', price: '12.50', stock: 1000 });
    headers = await t.bearer({ id: USER });
  });
  afterAll(async () => t.close());

  /** Delivers one address event with its own time, one second after the previous one. */
  const deliver = async (routingKey: string, version: number, payload: object, given?: number) => {
    clock += 1000;
    const at = given ?? clock;
    const message = {
      ...payload,
      event_id: randomUUID(),
      event: routingKey.replaceAll('.', '_'),
      timestamp: new Date(at).toISOString(),
      version,
    };
    await t.app.platform.events.bus.publish('user_events', routingKey, message);
    await t.settle();
  };
  const saved = (id: number, version: number, fields: object = {}, at?: number) =>
    deliver(
      'user.address_saved',
      version,
      {
        address_id: id,
        user_id: USER,
        name: 'Ana Ruiz',
        line1: `Street ${id} v${version}`,
        line2: null,
        city: 'Madrid',
        postal_code: '28013',
        region: null,
        country: 'ES',
        phone: null,
        is_default: false,
        ...fields,
      },
      at,
    );
  const deleted = (id: number, version: number) =>
    deliver('user.address_deleted', version, { address_id: id, user_id: USER });
  const shippedTo = async (body?: object) => {
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/cart/items',
          headers,
          payload: { product_id: 1, quantity: 1 },
        })
      ).statusCode,
    ).toBe(201);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/cart/checkout',
      headers,
      ...(body ? { payload: body } : {}),
    });
    if (response.statusCode !== 202) return response.statusCode;
    const events = await catalog.events('cart_events');
    return (events.at(-1)!.message.shipping_address as { line1: string } | null)?.line1 ?? null;
  };

  it('when a revision older than the one held arrives, then it is ignored', async () => {
    await saved(10, 2, { is_default: true, line1: 'Newer' });
    await saved(10, 1, { is_default: true, line1: 'Older' });
    expect(await shippedTo({ address_id: 10 })).toBe('Newer');
    expect(await shippedTo()).toBe('Newer');
  });

  it('when two defaults are held because their events crossed, then the newer save is the default', async () => {
    const late = clock + 10_000;
    await saved(11, 1, { is_default: true, line1: 'New default' }, late);
    // The old default's "no longer default" has not arrived: both are marked default for a moment.
    expect(await shippedTo()).toBe('New default');
    await saved(10, 3, { is_default: false, line1: 'Newer' });
    expect(await shippedTo()).toBe('New default');
  });

  it('when a deletion arrives before the save it follows, then the address stays deleted', async () => {
    await deleted(12, 2);
    await saved(12, 1, { line1: 'Ghost' });
    expect(await shippedTo({ address_id: 12 })).toBe(404);
    await deleted(11, 2);
    expect(await shippedTo({ address_id: 11 })).toBe(404);
    // The default was deleted and no promotion has arrived yet: the order has no address.
    expect(await shippedTo()).toBeNull();
  });

  it("when an address is another user's, then checkout with it is a 404", async () => {
    await deliver('user.address_saved', 1, {
      address_id: 13,
      user_id: USER + 1,
      name: 'Bob',
      line1: 'Elsewhere 1',
      line2: null,
      city: 'Lima',
      postal_code: '15001',
      region: null,
      country: 'PE',
      phone: null,
      is_default: true,
    });
    expect(await shippedTo({ address_id: 13 })).toBe(404);
  });
});
