import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../../src/modules/cart/index.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { FakeCatalog, fakeCategoriesModule, fakeProductsModule } from './fake-catalog.js';

/** Stands in for the orders module: owns `order_events`, so the test decides when an order exists. */
const fakeOrdersModule: ModuleDefinition = {
  name: 'fake_orders',
  publishes: { exchange: 'order_events', events: [] },
  consumes: [],
  async register() {},
};

type Headers = { authorization: string };

/** A checkout's 202 says where its order will be, and that address never answers 404 to its owner. */
describe('where the order of a checkout is', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let nextUser = 700;

  beforeAll(async () => {
    t = await buildTestApp({
      modules: [cartModule, fakeProductsModule, fakeCategoriesModule, fakeOrdersModule],
    });
    catalog = new FakeCatalog(t);
    await catalog.category(1, 1, 'Dog food');
    await catalog.product(1, 1, { name: 'Kibble', price: '12.50', stock: 50 });
  });
  afterAll(async () => t.close());

  const call = (method: 'GET' | 'POST', url: string, headers: object, payload?: object) =>
    t.app.inject({ method, url, headers: { ...headers }, ...(payload ? { payload } : {}) });

  async function checkedOut(customer: Headers, key?: string) {
    const added = await call('POST', '/api/cart/items', customer, { product_id: 1, quantity: 2 });
    expect(added.statusCode).toBe(201);
    return call('POST', '/api/cart/checkout', { ...customer, ...(key ? { 'idempotency-key': key } : {}) });
  }

  const orderCreated = (orderId: string, userId: number) =>
    catalog.emit('order_events', 'order.created', 1, {
      order_id: orderId,
      user_id: userId,
      items: [{ product_id: 1, quantity: 2, price: '12.50' }],
      status: 'pending',
      total: '25.00',
    });

  it('when a cart is checked out, then the 202 carries the checkout’s Location and a Retry-After', async () => {
    const customer = await t.bearer({ id: nextUser++ });
    const checkout = await checkedOut(customer);
    expect(checkout.statusCode).toBe(202);
    const { order_id: orderId } = checkout.json();
    expect(checkout.headers.location).toBe(`/api/cart/checkouts/${orderId}`);
    expect(checkout.headers['retry-after']).toBe('1');
  });

  it('when the order does not exist yet, then the Location answers 200 pending with Retry-After, never 404', async () => {
    const customer = await t.bearer({ id: nextUser++ });
    const { order_id: orderId } = (await checkedOut(customer)).json();
    await t.settle();
    const polled = await call('GET', `/api/cart/checkouts/${orderId}`, customer);
    expect(polled.statusCode).toBe(200);
    expect(polled.headers['retry-after']).toBe('1');
    expect(polled.json()).toEqual({ order_id: orderId, status: 'pending', order: null });
  });

  it('when the orders module has made the order, then the Location is a 303 to the order, again and again', async () => {
    const userId = nextUser++;
    const customer = await t.bearer({ id: userId });
    const { order_id: orderId } = (await checkedOut(customer)).json();
    await orderCreated(orderId, userId);
    await orderCreated(orderId, userId);
    for (let poll = 0; poll < 2; poll++) {
      const polled = await call('GET', `/api/cart/checkouts/${orderId}`, customer);
      expect(polled.statusCode).toBe(303);
      expect(polled.headers.location).toBe(`/api/orders/${orderId}`);
      expect(polled.headers['retry-after']).toBeUndefined();
      expect(polled.json()).toEqual({
        order_id: orderId,
        status: 'created',
        order: `/api/orders/${orderId}`,
      });
    }
  });

  it('when the same checkout is sent again with its idempotency key, then the replay names the same Location', async () => {
    const customer = await t.bearer({ id: nextUser++ });
    const key = randomUUID();
    const first = await checkedOut(customer, key);
    const again = await call('POST', '/api/cart/checkout', { ...customer, 'idempotency-key': key });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
  });

  it('when someone else, nobody or a malformed id is asked for, then 404, 401 and 400 as for any private resource', async () => {
    const owner = await t.bearer({ id: nextUser++ });
    const stranger = await t.bearer({ id: nextUser++ });
    const { order_id: orderId } = (await checkedOut(owner)).json();
    const theirs = await call('GET', `/api/cart/checkouts/${orderId}`, stranger);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().code).toBe('CART.CHECKOUT_NOT_FOUND');
    expect((await call('GET', `/api/cart/checkouts/${randomUUID()}`, owner)).statusCode).toBe(404);
    expect((await call('GET', `/api/cart/checkouts/${orderId}`, {})).statusCode).toBe(401);
    expect((await call('GET', '/api/cart/checkouts/not-a-uuid', owner)).statusCode).toBe(400);
  });

  it('when an order made without a checkout is announced, then no checkout appears for it', async () => {
    const userId = nextUser++;
    const customer = await t.bearer({ id: userId });
    const orderId = randomUUID();
    await orderCreated(orderId, userId);
    expect((await call('GET', `/api/cart/checkouts/${orderId}`, customer)).statusCode).toBe(404);
  });
});
