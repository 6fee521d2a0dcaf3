import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ordersModule } from '../../src/modules/orders/index.js';
import { FakeCatalog, fakeProductsModule } from '../cart/fake-catalog.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

/** Races that only real PostgreSQL can lose: PGlite has one connection and would serialise them. */
describe('orders under concurrency', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let admin: { authorization: string };
  let customer: { authorization: string };

  beforeAll(async () => {
    t = await buildTestApp({
      modules: [ordersModule, fakeProductsModule],
      config: { DATABASE_POOL_SIZE: 8 },
    });
    catalog = new FakeCatalog(t);
    await catalog.product(1, 1, { price: '4.00' });
    admin = await t.bearer({ id: 1, isStaff: true });
    customer = await t.bearer({ id: 2 });
  });
  afterAll(async () => t.close());

  const place = async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: customer,
      payload: { items: [{ product_id: 1, quantity: 1 }] },
    });
    return response.json() as { id: string };
  };
  const statuses = (responses: { statusCode: number }[]) =>
    responses.map((response) => response.statusCode).sort((a, b) => a - b);
  const eventsOf = async (orderId: string, routingKey: string) =>
    (await catalog.events('order_events')).filter(
      (event) => event.message.order_id === orderId && event.routing_key === routingKey,
    );

  it('when ten cancels race, then exactly one wins and one order.cancelled is written', async () => {
    const order = await place();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        t.app.inject({
          method: 'POST',
          url: `/api/orders/${order.id}/cancel`,
          headers: index % 2 ? admin : customer,
        }),
      ),
    );
    expect(statuses(responses)).toEqual([200, ...Array(9).fill(409)]);
    expect(await eventsOf(order.id, 'order.cancelled')).toHaveLength(1);
  });

  it('when staff race to ship a paid order, then one change is recorded', async () => {
    const order = await place();
    await catalog.stock('stock.reserved', order.id, [{ product_id: 1, quantity: 1 }]);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/orders/${order.id}/status`,
      headers: admin,
      payload: { status: 'paid' },
    });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/orders/${order.id}/status`,
          headers: admin,
          payload: { status: 'shipped' },
        }),
      ),
    );
    expect(statuses(responses)).toEqual([200, ...Array(9).fill(409)]);
    const final = await t.app.inject({ method: 'GET', url: `/api/orders/${order.id}`, headers: customer });
    expect(final.json().status_history.map((change: { status: string }) => change.status)).toEqual([
      'pending',
      'confirmed',
      'paid',
      'shipped',
    ]);
    expect((await eventsOf(order.id, 'order.updated')).map((event) => event.message.version)).toEqual([
      2, 3, 4,
    ]);
  });

  it('when a cancel races the stock answer, then the order ends cancelled with one order.cancelled', async () => {
    for (let round = 0; round < 5; round++) {
      const order = await place();
      const [cancelled] = await Promise.all([
        t.app.inject({ method: 'POST', url: `/api/orders/${order.id}/cancel`, headers: customer }),
        catalog.stock('stock.reserved', order.id, [{ product_id: 1, quantity: 1 }]),
      ]);
      expect(cancelled.statusCode).toBe(200);
      await t.settle();
      const final = await t.app.inject({ method: 'GET', url: `/api/orders/${order.id}`, headers: customer });
      expect(final.json().status).toBe('cancelled');
      expect(await eventsOf(order.id, 'order.cancelled')).toHaveLength(1);
    }
  });
});
