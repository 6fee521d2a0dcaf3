import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Session, signUp } from '../users/users-client.js';
import { ShopClient } from './saga-client.js';

const HOME = {
  name: 'Ana Ruiz',
  line1: 'Calle Mayor 1',
  line2: '3º B',
  city: 'Madrid',
  postal_code: '28013',
  region: 'Madrid',
  country: 'ES',
  phone: '+34 600 123 456',
};
const WORK = { name: 'Ana Ruiz', line1: 'Gran Vía 2', city: 'Madrid', postal_code: '28013', country: 'ES' };

/** What an order keeps of an address: the address as answered, less its book's own fields. */
function snapshotOf(address: Record<string, unknown>) {
  const { id, is_default: _default, created_at: _created, updated_at: _updated, ...rest } = address;
  return { address_id: id, line2: null, region: null, phone: null, ...rest };
}

/** Users, cart and orders together: the address book reaches checkout and orders only through events. */
describe('checkout with an address of the address book', () => {
  let t: TestApp;
  let shop: ShopClient;
  let admin: { authorization: string };
  let product: number;

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await t.bearer({ id: 90_000, isStaff: true });
    shop = new ShopClient(t, admin);
    product = await shop.product(await shop.category('Dogs'), 'Kibble', '12.50', 1000);
  });
  afterAll(async () => t.close());

  const addAddress = async (session: Session, fields: object) => {
    const response = await shop.request('POST', '/api/users/me/addresses', session.headers, fields);
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const checkout = async (session: Session, body?: object, headers: object = {}) => {
    await shop.addToCart(session.headers, product, 1);
    return shop.request('POST', '/api/cart/checkout', { ...session.headers, ...headers }, body);
  };
  const checkedOut = async (orderId: string) => {
    const [row] = await queryRows<{ message: EventEnvelope }>(
      t.database.db,
      sql`select message from platform.outbox where routing_key = 'cart.checked_out' and message->>'order_id' = ${orderId}`,
    );
    return row?.message;
  };

  it('when a customer checks out with an address id, then the order carries a copy of that address', async () => {
    const ana = await signUp(t);
    await addAddress(ana, HOME);
    const work = await addAddress(ana, WORK);
    const response = await checkout(ana, { address_id: work.id });
    expect(response.statusCode, response.body).toBe(202);
    const orderId = response.json().order_id;
    expect((await checkedOut(orderId))?.shipping_address).toEqual(snapshotOf(work));
    const order = await shop.order(ana.headers, orderId);
    expect(order.status).toBe('confirmed');
    expect(order.shipping_address).toEqual(snapshotOf(work));
  });

  it('when a customer checks out with no body, then the order ships to the default address', async () => {
    const ana = await signUp(t);
    await addAddress(ana, WORK);
    const home = await addAddress(ana, { ...HOME, is_default: true });
    const response = await checkout(ana);
    expect(response.statusCode, response.body).toBe(202);
    expect((await shop.order(ana.headers, response.json().order_id)).shipping_address).toEqual(
      snapshotOf(home),
    );
    const empty = await checkout(ana, {});
    expect((await shop.order(ana.headers, empty.json().order_id)).shipping_address).toEqual(snapshotOf(home));
  });

  it('when a customer has no address, then the order is made with shipping_address null', async () => {
    const ana = await signUp(t);
    const response = await checkout(ana);
    expect(response.statusCode).toBe(202);
    expect((await checkedOut(response.json().order_id))?.shipping_address).toBeNull();
    expect((await shop.order(ana.headers, response.json().order_id)).shipping_address).toBeNull();
  });

  it("when a customer checks out with another user's or an unknown address, then 404 on address_id and the cart is kept", async () => {
    const ana = await signUp(t);
    const bob = await signUp(t);
    const bobs = await addAddress(bob, HOME);
    for (const addressId of [bobs.id, 999_999]) {
      const response = await checkout(ana, { address_id: addressId });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({
        code: 'CART.ADDRESS_NOT_FOUND',
        errors: [{ path: 'body.address_id' }],
      });
    }
    const cart = await shop.request('GET', '/api/cart', ana.headers);
    expect(cart.json().items).toMatchObject([{ product_id: product, quantity: 2 }]);
    const deleted = await addAddress(ana, WORK);
    await shop.request('DELETE', `/api/users/me/addresses/${deleted.id}`, ana.headers);
    expect((await checkout(ana, { address_id: deleted.id })).statusCode).toBe(404);
    expect((await checkout(ana, { address_id: 'home' })).statusCode).toBe(400);
    expect((await checkout(ana, { address_id: 1, note: 'x' })).statusCode).toBe(400);
  });

  it("when an address is edited and then deleted after checkout, then the order's snapshot is unchanged", async () => {
    const ana = await signUp(t);
    const home = await addAddress(ana, HOME);
    const viaCart = (await checkout(ana)).json().order_id;
    const direct = await shop.request('POST', '/api/orders', ana.headers, {
      items: [{ product_id: product, quantity: 1 }],
      address_id: home.id,
    });
    expect(direct.statusCode, direct.body).toBe(201);
    expect(direct.json().shipping_address).toEqual(snapshotOf(home));
    const edited = await shop.request('PATCH', `/api/users/me/addresses/${home.id}`, ana.headers, {
      line1: 'Calle Nueva 9',
      city: 'Sevilla',
      phone: null,
    });
    expect(edited.statusCode).toBe(200);
    const expected = snapshotOf(home);
    for (const orderId of [viaCart, direct.json().id]) {
      expect((await shop.order(ana.headers, orderId)).shipping_address).toEqual(expected);
    }
    expect((await shop.request('DELETE', `/api/users/me/addresses/${home.id}`, ana.headers)).statusCode).toBe(
      204,
    );
    for (const orderId of [viaCart, direct.json().id]) {
      expect((await shop.order(ana.headers, orderId)).shipping_address).toEqual(expected);
      expect((await shop.order(admin, orderId)).shipping_address).toEqual(expected);
    }
    const mine = (await shop.request('GET', '/api/orders', ana.headers)).json().results;
    expect(mine.map((order: { shipping_address: unknown }) => order.shipping_address)).toEqual([
      expected,
      expected,
    ]);
    // A later checkout ships to what the book holds now: nothing.
    expect(
      (await shop.order(ana.headers, (await checkout(ana)).json().order_id)).shipping_address,
    ).toBeNull();
  });

  it('when an order is placed directly, then address_id, the default and a foreign id work as at checkout', async () => {
    const ana = await signUp(t);
    const bob = await signUp(t);
    const items = [{ product_id: product, quantity: 1 }];
    const none = await shop.request('POST', '/api/orders', ana.headers, { items });
    expect(none.json().shipping_address).toBeNull();
    const home = await addAddress(ana, HOME);
    await addAddress(ana, WORK);
    const byDefault = await shop.request('POST', '/api/orders', ana.headers, { items });
    expect(byDefault.json().shipping_address).toEqual(snapshotOf(home));
    const bobs = await addAddress(bob, WORK);
    const foreign = await shop.request('POST', '/api/orders', ana.headers, { items, address_id: bobs.id });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({
      code: 'ORDERS.ADDRESS_NOT_FOUND',
      errors: [{ path: 'body.address_id' }],
    });
  });

  it('when a checkout is retried with its Idempotency-Key but another address, then 409 and no second order', async () => {
    const ana = await signUp(t);
    const home = await addAddress(ana, HOME);
    const work = await addAddress(ana, WORK);
    const key = { 'idempotency-key': 'address-retry' };
    const first = await checkout(ana, { address_id: home.id }, key);
    expect(first.statusCode).toBe(202);
    const again = await shop.request(
      'POST',
      '/api/cart/checkout',
      { ...ana.headers, ...key },
      { address_id: home.id },
    );
    expect(again.json()).toEqual(first.json());
    const other = await checkout(ana, { address_id: work.id }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('IDEMPOTENCY.KEY_REUSED');
  });
});
