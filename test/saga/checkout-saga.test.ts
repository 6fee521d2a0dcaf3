import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Headers, ShopClient } from './saga-client.js';

/** Cart, orders and products together, through the HTTP API and the events between them. */
describe('the checkout saga across modules', () => {
  let t: TestApp;
  let shop: ShopClient;
  let customer: Headers;
  let other: Headers;
  let category: number;

  beforeAll(async () => {
    t = await buildTestApp();
    shop = new ShopClient(t, await t.bearer({ id: 500, isStaff: true }));
    customer = await t.bearer({ id: 501 });
    other = await t.bearer({ id: 502 });
    category = await shop.category('Dogs');
  });
  afterAll(async () => t.close());

  const orderEvents = (orderId: string, routingKey: string) =>
    queryRows<{ message: EventEnvelope }>(
      t.database.db,
      sql`select message from platform.outbox where routing_key = ${routingKey} and message->>'order_id' = ${orderId}`,
    );

  it('when a customer checks out a cart, then the order appears, is confirmed and the stock goes down', async () => {
    const kibble = await shop.product(category, 'Kibble', '12.50', 10);
    const added = await shop.addToCart(customer, kibble, 3);
    expect(added.statusCode).toBe(201);
    expect(added.json().items).toMatchObject([
      { product_id: kibble, name: 'Kibble', category_name: 'Dogs', unit_price: '12.50', available: true },
    ]);
    const checkout = await shop.checkout(customer);
    expect(checkout.statusCode).toBe(202);
    const { order_id: orderId } = checkout.json();
    // The checkout's Location leads to the order once the saga has made it.
    const located = await shop.request('GET', checkout.headers.location as string, customer);
    expect(located.statusCode).toBe(303);
    expect(located.headers.location).toBe(`/api/orders/${orderId}`);
    const order = await shop.order(customer, orderId);
    expect(order).toMatchObject({
      id: orderId,
      user_id: 501,
      status: 'confirmed',
      reason: null,
      items: [
        { product_id: kibble, product_name: 'Kibble', unit_price: '12.50', quantity: 3, subtotal: '37.50' },
      ],
      total: '37.50',
    });
    expect(order.status_history.map((change: { status: string }) => change.status)).toEqual([
      'pending',
      'confirmed',
    ]);
    expect(await shop.stockOf(kibble)).toBe(7);
    expect((await shop.request('GET', '/api/cart', customer)).json().items).toEqual([]);
    expect((await shop.request('GET', `/api/orders/${orderId}`, other)).statusCode).toBe(404);
  });

  it('when an order asks for more than the stock, then it is rejected with a reason and the stock is unchanged', async () => {
    const bone = await shop.product(category, 'Bone', '3.00', 4);
    const leash = await shop.product(category, 'Leash', '9.00', 50);
    const placed = await shop.placeOrder(customer, [
      { product_id: leash, quantity: 2 },
      { product_id: bone, quantity: 5 },
    ]);
    expect(placed.statusCode).toBe(201);
    const order = await shop.order(customer, placed.json().id);
    expect(order.status).toBe('rejected');
    expect(order.reason).toEqual(expect.any(String));
    expect(await shop.stockOf(bone)).toBe(4);
    expect(await shop.stockOf(leash)).toBe(50);
  });

  it('when a confirmed order is cancelled, then its stock comes back exactly once', async () => {
    const toy = await shop.product(category, 'Toy', '5.00', 10);
    const placed = await shop.placeOrder(customer, [{ product_id: toy, quantity: 4 }]);
    const orderId = placed.json().id;
    expect((await shop.order(customer, orderId)).status).toBe('confirmed');
    expect(await shop.stockOf(toy)).toBe(6);
    expect((await shop.request('POST', `/api/orders/${orderId}/cancel`, other)).statusCode).toBe(404);
    const cancelled = await shop.request('POST', `/api/orders/${orderId}/cancel`, customer);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    expect(await shop.stockOf(toy)).toBe(10);
    expect((await shop.request('POST', `/api/orders/${orderId}/cancel`, customer)).statusCode).toBe(409);
    const [event] = await orderEvents(orderId, 'order.cancelled');
    await t.app.platform.events.bus.publish('order_events', 'order.cancelled', event!.message);
    await t.settle();
    expect(await shop.stockOf(toy)).toBe(10);
    expect(await orderEvents(orderId, 'stock.released')).toHaveLength(1);
  });

  it('when a price changes in the catalog, then the cart shows it and the order is charged at it', async () => {
    const bed = await shop.product(category, 'Bed', '40.00', 5);
    await shop.addToCart(customer, bed, 2);
    const patched = await shop.request(
      'PATCH',
      `/api/products/${bed}`,
      await t.bearer({ id: 500, isStaff: true }),
      {
        price: '35.50',
      },
    );
    expect(patched.statusCode).toBe(200);
    const cart = (await shop.request('GET', '/api/cart', customer)).json();
    expect(cart).toMatchObject({
      items: [{ product_id: bed, unit_price: '35.50', subtotal: '71.00' }],
      total: '71.00',
    });
    const orderId = (await shop.checkout(customer)).json().order_id;
    expect(await shop.order(customer, orderId)).toMatchObject({ status: 'confirmed', total: '71.00' });
  });

  it('when a product in the cart is deleted, then it shows unavailable and checkout is refused', async () => {
    const collar = await shop.product(category, 'Collar', '7.00', 5);
    const brush = await shop.product(category, 'Brush', '4.00', 5);
    await shop.addToCart(customer, collar, 1);
    await shop.addToCart(customer, brush, 1);
    const deleted = await shop.request(
      'DELETE',
      `/api/products/${collar}`,
      await t.bearer({ id: 500, isStaff: true }),
    );
    expect(deleted.statusCode).toBe(204);
    const cart = (await shop.request('GET', '/api/cart', customer)).json();
    expect(cart.items).toMatchObject([
      { product_id: collar, available: false },
      { product_id: brush, available: true },
    ]);
    const refused = await shop.checkout(customer);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('CART.UNAVAILABLE_ITEMS');
    expect((await shop.placeOrder(customer, [{ product_id: collar, quantity: 1 }])).statusCode).toBe(400);
    await shop.request('DELETE', `/api/cart/items/${collar}`, customer);
    expect((await shop.checkout(customer)).statusCode).toBe(202);
    expect(await shop.stockOf(brush)).toBe(4);
  });

  it('when an order or a checkout is retried with its Idempotency-Key, then one order is made and stock taken once', async () => {
    const treat = await shop.product(category, 'Treat', '1.25', 20);
    const items = [{ product_id: treat, quantity: 2 }];
    const first = await shop.placeOrder(other, items, 'saga-order');
    const again = await shop.placeOrder(other, items, 'saga-order');
    expect(again.statusCode).toBe(201);
    expect(again.json().id).toBe(first.json().id);
    await shop.addToCart(other, treat, 3);
    const checkout = await shop.checkout(other, 'saga-checkout');
    const retried = await shop.checkout(other, 'saga-checkout');
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual(checkout.json());
    const mine = (await shop.request('GET', '/api/orders', other)).json();
    expect(mine.count).toBe(2);
    expect(mine.results.every((order: { status: string }) => order.status === 'confirmed')).toBe(true);
    expect(await shop.stockOf(treat)).toBe(15);
  });
});
