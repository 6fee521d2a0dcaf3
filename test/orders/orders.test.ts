import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cartModule } from '../../src/modules/cart/index.js';
import { ordersModule } from '../../src/modules/orders/index.js';
import { takeReservations } from '../../src/modules/orders/orders.service.js';
import { queryRows } from '../../src/platform/db/database.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { FakeCatalog, fakeCategoriesModule, fakeProductsModule } from '../cart/fake-catalog.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

type Headers = { authorization: string };
type Line = { product_id: number; quantity: number };

describe('orders', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let admin: Headers;
  let alice: Headers;
  let bob: Headers;
  let aliceId: number;
  let nextUser = 1000;

  beforeAll(async () => {
    t = await buildTestApp({ modules: [ordersModule, cartModule, fakeProductsModule, fakeCategoriesModule] });
    catalog = new FakeCatalog(t);
    await catalog.product(1, 1, { name: 'Kibble', price: '12.50', stock: 1000 });
    await catalog.product(2, 1, { name: 'Bone', price: '3.05', stock: 1000 });
    await catalog.product(3, 1, { name: 'Gone', price: '1.00' });
    await catalog.deleteProduct(3, 2);
    admin = await t.bearer({ id: 1, isStaff: true });
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    aliceId = nextUser++;
    alice = await t.bearer({ id: aliceId });
    bob = await t.bearer({ id: nextUser++ });
  });

  const place = (headers: object, items: unknown, extra: object = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { ...headers },
      payload: { items, ...extra },
    });
  const get = (headers: object, url: string) =>
    t.app.inject({ method: 'GET', url: `/api/orders${url}`, headers: { ...headers } });
  const cancel = (headers: object, id: string, payload?: object) =>
    t.app.inject({
      method: 'POST',
      url: `/api/orders/${id}/cancel`,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
  const setStatus = (headers: object, id: string, status: string) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/orders/${id}/status`,
      headers: { ...headers },
      payload: { status },
    });
  const orderEvents = async (orderId: string) =>
    (await catalog.events('order_events')).filter((event) => event.message.order_id === orderId);
  const placed = async (headers: Headers, items: Line[] = [{ product_id: 1, quantity: 1 }]) => {
    const response = await place(headers, items);
    expect(response.statusCode).toBe(201);
    return response.json() as { id: string; items: Line[] };
  };
  const reserved = async (order: { id: string; items: Line[] }) => {
    await catalog.stock(
      'stock.reserved',
      order.id,
      order.items.map(({ product_id, quantity }) => ({ product_id, quantity })),
    );
  };
  const countOrders = async () =>
    (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from orders.orders`))[0]!.n;

  describe('placing', () => {
    it('when a customer orders, then 201 answers a pending order priced by the server and order.created is written', async () => {
      const response = await place(alice, [
        { product_id: 1, quantity: 2 },
        { product_id: 2, quantity: 3 },
      ]);
      expect(response.statusCode).toBe(201);
      const order = response.json();
      expect(order).toMatchObject({
        user_id: aliceId,
        status: 'pending',
        reason: null,
        items: [
          { product_id: 1, product_name: 'Kibble', unit_price: '12.50', quantity: 2, subtotal: '25.00' },
          { product_id: 2, product_name: 'Bone', unit_price: '3.05', quantity: 3, subtotal: '9.15' },
        ],
        total: '34.15',
        status_history: [{ status: 'pending', at: order.created_at }],
      });
      expect(order.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(order.updated_at).toBe(order.created_at);
      const events = await orderEvents(order.id);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        routing_key: 'order.created',
        message: {
          event: 'order_created',
          version: 1,
          order_id: order.id,
          user_id: aliceId,
          items: [
            { product_id: 1, quantity: 2, price: '12.50' },
            { product_id: 2, quantity: 3, price: '3.05' },
          ],
          status: 'pending',
          total: '34.15',
        },
      });
    });

    it('when a product is unknown or deleted, then 400 names the lines and nothing is written', async () => {
      const before = await countOrders();
      const response = await place(alice, [
        { product_id: 1, quantity: 1 },
        { product_id: 999, quantity: 1 },
        { product_id: 3, quantity: 1 },
      ]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'ORDERS.UNKNOWN_PRODUCT',
        errors: [{ path: 'body.items.1.product_id' }, { path: 'body.items.2.product_id' }],
      });
      expect(await countOrders()).toBe(before);
    });

    it.each([
      ['a total', { total: '0.01' }],
      ['a status', { status: 'paid' }],
      ['a user_id', { user_id: 1 }],
      ['a price', { price: '0.01' }],
    ])('when the body carries %s, then 400', async (_, extra) => {
      const response = await place(alice, [{ product_id: 1, quantity: 1 }], extra);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    });

    it.each([
      ['a line price', [{ product_id: 1, quantity: 1, unit_price: '0.01' }]],
      ['no lines', []],
      ['51 lines', Array.from({ length: 51 }, (_, index) => ({ product_id: index + 1, quantity: 1 }))],
      ['quantity 0', [{ product_id: 1, quantity: 0 }]],
      ['quantity 100', [{ product_id: 1, quantity: 100 }]],
      ['a quantity as text', [{ product_id: 1, quantity: '1' }]],
      ['product 0', [{ product_id: 0, quantity: 1 }]],
      ['a product id beyond the integer range', [{ product_id: 2_147_483_648, quantity: 1 }]],
      ['items that are not a list', { product_id: 1, quantity: 1 }],
    ])('when the items have %s, then 400', async (_, items) => {
      expect((await place(alice, items)).statusCode).toBe(400);
    });

    it('when a product is on two lines, then 400 and nothing is written', async () => {
      const response = await place(alice, [
        { product_id: 1, quantity: 1 },
        { product_id: 1, quantity: 2 },
      ]);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'ORDERS.DUPLICATE_PRODUCT',
        errors: [{ path: 'body.items.1.product_id' }],
      });
    });

    it('when there is no token, then every order route answers 401', async () => {
      const id = '00000000-0000-4000-8000-000000000000';
      const responses = await Promise.all([
        place({}, [{ product_id: 1, quantity: 1 }]),
        get({}, '/'),
        get({}, `/${id}`),
        cancel({}, id),
        setStatus({}, id, 'paid'),
      ]);
      expect(responses.map((response) => response.statusCode)).toEqual([401, 401, 401, 401, 401]);
    });

    it('when a price changes in the catalog, then new orders take it and earlier orders keep theirs', async () => {
      await catalog.product(20, 1, { price: '5.00' });
      const first = await placed(alice, [{ product_id: 20, quantity: 2 }]);
      await catalog.product(20, 2, { price: '6.25' });
      const second = await placed(alice, [{ product_id: 20, quantity: 2 }]);
      expect(second).toMatchObject({ total: '12.50' });
      expect((await get(alice, `/${first.id}`)).json()).toMatchObject({ total: '10.00' });
    });

    it('when product events arrive out of order or twice, then the newest version prices the order', async () => {
      await catalog.product(21, 3, { name: 'New', price: '3.00' }, 'product.updated');
      await catalog.product(21, 1, { name: 'Old', price: '1.00' }, 'product.created');
      await catalog.product(21, 2, { name: 'Mid', price: '2.00' });
      const [mid] = (await catalog.events('product_events')).filter(
        (event) => event.message.product_id === 21 && event.message.version === 2,
      );
      await catalog.redeliver('product_events', 'product.updated', mid!.message);
      expect(await placed(alice, [{ product_id: 21, quantity: 1 }])).toMatchObject({
        items: [{ product_name: 'New', unit_price: '3.00' }],
      });
      await catalog.deleteProduct(21, 5);
      await catalog.product(21, 4, { name: 'Revived?' });
      expect((await place(alice, [{ product_id: 21, quantity: 1 }])).statusCode).toBe(400);
    });
  });

  describe('idempotency', () => {
    it('when the same key, user and body come again, then the first answer comes back and one order exists', async () => {
      const headers = { ...alice, 'idempotency-key': 'order-1' };
      const items = [{ product_id: 1, quantity: 1 }];
      const before = await countOrders();
      const first = await place(headers, items);
      const again = await place(headers, items);
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(await countOrders()).toBe(before + 1);
      expect(await orderEvents(first.json().id)).toHaveLength(1);
    });

    it('when retries race, then still one order is created', async () => {
      const headers = { ...alice, 'idempotency-key': 'order-race' };
      const items = [{ product_id: 2, quantity: 1 }];
      const before = await countOrders();
      const answers = await Promise.all(Array.from({ length: 5 }, () => place(headers, items)));
      expect(answers.map((answer) => answer.statusCode)).toEqual([201, 201, 201, 201, 201]);
      expect(new Set(answers.map((answer) => answer.json().id)).size).toBe(1);
      expect(await countOrders()).toBe(before + 1);
    });

    it('when the same key comes with another body, then 409', async () => {
      const headers = { ...alice, 'idempotency-key': 'order-2' };
      await place(headers, [{ product_id: 1, quantity: 1 }]);
      const response = await place(headers, [{ product_id: 1, quantity: 2 }]);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('IDEMPOTENCY.KEY_REUSED');
    });

    it('when another user sends the same key, then they get their own order', async () => {
      const items = [{ product_id: 1, quantity: 1 }];
      const first = await place({ ...alice, 'idempotency-key': 'shared' }, items);
      const second = await place({ ...bob, 'idempotency-key': 'shared' }, items);
      expect(second.statusCode).toBe(201);
      expect(second.json().id).not.toBe(first.json().id);
    });

    it('when a keyed request failed, then the key is free for the corrected request', async () => {
      const headers = { ...alice, 'idempotency-key': 'order-3' };
      expect((await place(headers, [{ product_id: 30, quantity: 1 }])).statusCode).toBe(400);
      await catalog.product(30, 1, {});
      expect((await place(headers, [{ product_id: 30, quantity: 1 }])).statusCode).toBe(201);
    });
  });

  describe('reading', () => {
    it('when the owner or staff read an order, then 200; another user or a bad id gets 404', async () => {
      const order = await placed(alice);
      expect((await get(alice, `/${order.id}`)).json()).toEqual(order);
      expect((await get(admin, `/${order.id}`)).statusCode).toBe(200);
      const other = await get(bob, `/${order.id}`);
      expect(other.statusCode).toBe(404);
      expect(other.json().code).toBe('ORDERS.NOT_FOUND');
      expect((await get(alice, '/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
      expect((await get(alice, '/not-a-uuid')).statusCode).toBe(404);
    });

    it('when a customer lists, then only their orders come, newest first and paged', async () => {
      const first = await placed(alice);
      const second = await placed(alice);
      await placed(bob);
      const page = (await get(alice, '/?limit=1')).json();
      expect(page.count).toBe(2);
      expect(page.results.map((order: { id: string }) => order.id)).toEqual([second.id]);
      expect(page.previous).toBeNull();
      expect(page.next).toContain('page=2');
      const next = (await get(alice, '/?limit=1&page=2')).json();
      expect(next.results.map((order: { id: string }) => order.id)).toEqual([first.id]);
      expect(next.next).toBeNull();
      expect((await get(alice, '/?page=9')).json()).toMatchObject({ count: 2, results: [] });
    });

    it('when staff list, then every user’s orders come', async () => {
      const mine = await placed(alice);
      const theirs = await placed(bob);
      const ids = (await get(admin, '/?limit=100')).json().results.map((order: { id: string }) => order.id);
      expect(ids).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    });

    it('when filtered by status, then only those come; a wrong status or parameter is 400', async () => {
      const kept = await placed(alice);
      const confirmed = await placed(alice);
      await reserved(confirmed);
      const page = (await get(alice, '/?status=confirmed')).json();
      expect(page.results.map((order: { id: string }) => order.id)).toEqual([confirmed.id]);
      expect(
        (await get(alice, '/?status=pending')).json().results.map((order: { id: string }) => order.id),
      ).toEqual([kept.id]);
      for (const query of ['?status=bogus', '?page=0', '?limit=x', '?user_id=1']) {
        expect((await get(alice, `/${query}`)).statusCode).toBe(400);
      }
    });
  });

  describe('cancelling', () => {
    it('when the owner cancels a pending order, then it is cancelled and order.cancelled is written', async () => {
      const order = await placed(alice);
      const response = await cancel(alice, order.id);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        status: 'cancelled',
        reason: null,
        status_history: [{ status: 'pending' }, { status: 'cancelled' }],
      });
      const events = await orderEvents(order.id);
      expect(events.map((event) => [event.routing_key, event.message.version, event.message.status])).toEqual(
        [
          ['order.created', 1, 'pending'],
          ['order.cancelled', 2, 'cancelled'],
        ],
      );
    });

    it('when another user cancels, then 404 and the order is untouched', async () => {
      const order = await placed(alice);
      expect((await cancel(bob, order.id)).statusCode).toBe(404);
      expect((await cancel(bob, 'nope')).statusCode).toBe(404);
      expect((await get(alice, `/${order.id}`)).json().status).toBe('pending');
    });

    it('when staff cancel a confirmed or paid order, then it is cancelled', async () => {
      const confirmed = await placed(alice);
      await reserved(confirmed);
      expect((await cancel(admin, confirmed.id)).json().status).toBe('cancelled');
      const paid = await placed(alice);
      await reserved(paid);
      await setStatus(admin, paid.id, 'paid');
      expect((await cancel(alice, paid.id)).json().status).toBe('cancelled');
    });

    it('when the order is cancelled, rejected, shipped or delivered, then cancel is 409', async () => {
      const cancelled = await placed(alice);
      await cancel(alice, cancelled.id);
      const rejected = await placed(alice);
      await catalog.stock('stock.rejected', rejected.id, [], 'not enough stock');
      const shipped = await placed(alice);
      await reserved(shipped);
      await setStatus(admin, shipped.id, 'paid');
      await setStatus(admin, shipped.id, 'shipped');
      for (const order of [cancelled, rejected, shipped]) {
        const response = await cancel(alice, order.id);
        expect(response.statusCode).toBe(409);
        expect(response.json().code).toBe('ORDERS.INVALID_TRANSITION');
      }
      expect(await orderEvents(cancelled.id)).toHaveLength(2);
    });

    it('when cancel carries a body field, then 400', async () => {
      const order = await placed(alice);
      expect((await cancel(alice, order.id, { reason: 'changed my mind' })).statusCode).toBe(400);
      expect((await cancel(alice, order.id, {})).statusCode).toBe(200);
    });
  });

  describe('the state machine', () => {
    it('when staff move a confirmed order on, then paid, shipped and delivered follow, each recorded and published', async () => {
      const order = await placed(alice);
      await reserved(order);
      for (const status of ['paid', 'shipped', 'delivered']) {
        const response = await setStatus(admin, order.id, status);
        expect(response.statusCode).toBe(200);
        expect(response.json().status).toBe(status);
      }
      const final = (await get(alice, `/${order.id}`)).json();
      expect(final.status_history.map((change: { status: string }) => change.status)).toEqual([
        'pending',
        'confirmed',
        'paid',
        'shipped',
        'delivered',
      ]);
      expect(final.updated_at).toBe(final.status_history.at(-1).at);
      const events = await orderEvents(order.id);
      expect(events.map((event) => [event.routing_key, event.message.version, event.message.status])).toEqual(
        [
          ['order.created', 1, 'pending'],
          ['order.updated', 2, 'confirmed'],
          ['order.updated', 3, 'paid'],
          ['order.updated', 4, 'shipped'],
          ['order.updated', 5, 'delivered'],
        ],
      );
    });

    it.each([
      ['pending', 'paid'],
      ['pending', 'shipped'],
      ['pending', 'confirmed'],
      ['pending', 'rejected'],
      ['pending', 'pending'],
      ['confirmed', 'shipped'],
      ['confirmed', 'delivered'],
      ['paid', 'delivered'],
      ['paid', 'paid'],
      ['shipped', 'cancelled'],
      ['delivered', 'cancelled'],
      ['delivered', 'shipped'],
      ['cancelled', 'paid'],
      ['rejected', 'cancelled'],
    ])('when staff move a %s order to %s, then 409', async (from, to) => {
      const order = await placed(alice);
      if (from === 'rejected') await catalog.stock('stock.rejected', order.id, [], 'no');
      if (from === 'cancelled') await cancel(alice, order.id);
      if (['confirmed', 'paid', 'shipped', 'delivered'].includes(from)) await reserved(order);
      const fulfilment = ['paid', 'shipped', 'delivered'];
      for (const step of fulfilment.slice(0, fulfilment.indexOf(from) + 1)) {
        expect((await setStatus(admin, order.id, step)).statusCode).toBe(200);
      }
      expect((await get(alice, `/${order.id}`)).json().status).toBe(from);
      const response = await setStatus(admin, order.id, to);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('ORDERS.INVALID_TRANSITION');
      expect((await get(alice, `/${order.id}`)).json().status).toBe(from);
    });

    it('when staff cancel through the status route, then order.cancelled is published', async () => {
      const order = await placed(alice);
      await reserved(order);
      expect((await setStatus(admin, order.id, 'cancelled')).json().status).toBe('cancelled');
      expect((await orderEvents(order.id)).at(-1)).toMatchObject({
        routing_key: 'order.cancelled',
        message: { version: 3 },
      });
    });

    it('when a customer uses the status route, then 403; bad input is 400 and an unknown order 404', async () => {
      const order = await placed(alice);
      expect((await setStatus(alice, order.id, 'cancelled')).statusCode).toBe(403);
      expect((await setStatus(admin, order.id, 'lost')).statusCode).toBe(400);
      const extra = await t.app.inject({
        method: 'PATCH',
        url: `/api/orders/${order.id}/status`,
        headers: admin,
        payload: { status: 'cancelled', reason: 'x' },
      });
      expect(extra.statusCode).toBe(400);
      expect((await setStatus(admin, '00000000-0000-4000-8000-000000000000', 'paid')).statusCode).toBe(404);
    });
  });

  describe('stock answers', () => {
    it('when stock is reserved, then the order is confirmed and order.updated is published', async () => {
      const order = await placed(alice);
      await reserved(order);
      expect((await get(alice, `/${order.id}`)).json()).toMatchObject({ status: 'confirmed', reason: null });
      expect((await orderEvents(order.id)).at(-1)).toMatchObject({
        routing_key: 'order.updated',
        message: { version: 2, status: 'confirmed', user_id: aliceId },
      });
    });

    it('when stock is rejected, then the order is rejected with the reason', async () => {
      const order = await placed(alice);
      await catalog.stock(
        'stock.rejected',
        order.id,
        [{ product_id: 1, quantity: 1 }],
        'not enough stock for product 1',
      );
      expect((await get(alice, `/${order.id}`)).json()).toMatchObject({
        status: 'rejected',
        reason: 'not enough stock for product 1',
        status_history: [{ status: 'pending' }, { status: 'rejected' }],
      });
    });

    it('when the answer comes twice or after another answer, then only the first counts', async () => {
      const order = await placed(alice);
      await reserved(order);
      const [answer] = (await catalog.events('product_events')).filter(
        (event) => event.routing_key === 'stock.reserved' && event.message.order_id === order.id,
      );
      await catalog.redeliver('product_events', 'stock.reserved', answer!.message);
      await reserved(order);
      await catalog.stock('stock.rejected', order.id, [], 'late');
      const final = (await get(alice, `/${order.id}`)).json();
      expect(final).toMatchObject({ status: 'confirmed', reason: null });
      expect(final.status_history).toHaveLength(2);
      expect(await orderEvents(order.id)).toHaveLength(2);
    });

    it('when the order was cancelled before the answer, then the answer is ignored', async () => {
      const order = await placed(alice);
      await cancel(alice, order.id);
      await reserved(order);
      await catalog.stock('stock.released', order.id, order.items);
      expect((await get(alice, `/${order.id}`)).json().status).toBe('cancelled');
      expect(await orderEvents(order.id)).toHaveLength(2);
    });

    it('when an answer names an unknown order, then nothing happens', async () => {
      await catalog.stock('stock.reserved', '00000000-0000-4000-8000-000000000001', []);
      const dead = await queryRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from platform.dead_letters`,
      );
      expect(dead[0]!.n).toBe(0);
    });
  });

  describe('stock answers in a batch', () => {
    const statusOf = async (id: string) => (await get(alice, `/${id}`)).json();

    it('when many answers arrive at once, then each pending order is decided once, by its first answer', async () => {
      const orders = [];
      for (let index = 0; index < 6; index++) orders.push(await placed(alice));
      await cancel(alice, orders[5]!.id);
      const answer = (routingKey: string, order: { id: string }, reason?: string) => ({
        exchange: 'product_events',
        routingKey,
        version: 1,
        payload: { order_id: order.id, items: [{ product_id: 1, quantity: 1 }], ...(reason && { reason }) },
      });
      // One outbox statement: the relay hands them over together and the queue applies them in batches.
      await recordEvents(t.database.db, [
        answer('stock.reserved', orders[0]!),
        answer('stock.reserved', orders[1]!),
        answer('stock.rejected', orders[2]!, 'not enough stock for product 1'),
        answer('stock.reserved', orders[3]!),
        answer('stock.rejected', orders[0]!, 'late'),
        answer('stock.rejected', orders[4]!, 'not enough stock for product 2'),
        answer('stock.reserved', orders[2]!),
        answer('stock.rejected', orders[5]!, 'too late'),
      ]);
      await t.settle();

      const expected = [
        ['confirmed', null],
        ['confirmed', null],
        ['rejected', 'not enough stock for product 1'],
        ['confirmed', null],
        ['rejected', 'not enough stock for product 2'],
        ['cancelled', null],
      ];
      for (const [index, [status, reason]] of expected.entries()) {
        const order = await statusOf(orders[index]!.id);
        expect(order, `order ${index}`).toMatchObject({ status, reason });
        expect(order.status_history.map((change: { status: string }) => change.status)).toEqual([
          'pending',
          status,
        ]);
        const events = await orderEvents(orders[index]!.id);
        expect(events.map((event) => [event.message.status, event.message.version])).toEqual([
          ['pending', 1],
          [status, 2],
        ]);
      }
    });

    it('when answers are taken together, then the orders change in one go, in the answers’ order', async () => {
      const [first, second, third, fourth] = [
        await placed(alice),
        await placed(alice),
        await placed(alice),
        await placed(alice),
      ];
      const before = (await catalog.events('order_events')).length;
      await t.database.transaction((tx) =>
        takeReservations(tx, [
          { orderId: second.id, outcome: 'rejected', reason: 'none left' },
          { orderId: first.id, outcome: 'confirmed' },
          { orderId: second.id, outcome: 'confirmed' },
          { orderId: third.id, outcome: 'rejected' },
          { orderId: fourth.id, outcome: 'rejected', reason: '' },
        ]),
      );
      expect(await statusOf(first.id)).toMatchObject({ status: 'confirmed', reason: null });
      expect(await statusOf(second.id)).toMatchObject({ status: 'rejected', reason: 'none left' });
      expect(await statusOf(third.id)).toMatchObject({ status: 'rejected', reason: 'not enough stock' });
      expect(await statusOf(fourth.id)).toMatchObject({ status: 'rejected', reason: '' });
      const written = (await catalog.events('order_events')).slice(before);
      expect(
        written.map((event) => [event.message.order_id, event.message.status, event.message.version]),
      ).toEqual([
        [second.id, 'rejected', 2],
        [first.id, 'confirmed', 2],
        [third.id, 'rejected', 2],
        [fourth.id, 'rejected', 2],
      ]);
      const history = (await statusOf(first.id)).status_history;
      expect(Date.parse(history[1].at)).toBeGreaterThanOrEqual(Date.parse(history[0].at));
    });
  });

  describe('from a checkout', () => {
    const checkout = async (headers: Headers, lines: Line[], key?: string) => {
      for (const line of lines) {
        const added = await t.app.inject({ method: 'POST', url: '/api/cart/items', headers, payload: line });
        expect(added.statusCode).toBe(201);
      }
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/cart/checkout',
        headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
      });
      expect(response.statusCode).toBe(202);
      await t.settle();
      return response.json().order_id as string;
    };

    it('when a cart is checked out, then its order appears for its owner only, priced as the cart showed', async () => {
      const orderId = await checkout(alice, [
        { product_id: 1, quantity: 2 },
        { product_id: 2, quantity: 1 },
      ]);
      const response = await get(alice, `/${orderId}`);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        id: orderId,
        user_id: aliceId,
        status: 'pending',
        items: [
          { product_id: 1, product_name: 'Kibble', unit_price: '12.50', quantity: 2 },
          { product_id: 2, product_name: 'Bone', unit_price: '3.05', quantity: 1 },
        ],
        total: '28.05',
      });
      expect((await get(bob, `/${orderId}`)).statusCode).toBe(404);
      expect((await orderEvents(orderId)).map((event) => event.routing_key)).toEqual(['order.created']);
    });

    it('when cart.checked_out is delivered again or the checkout retried, then still one order', async () => {
      const before = await countOrders();
      const orderId = await checkout(alice, [{ product_id: 1, quantity: 1 }], 'checkout-once');
      const retried = await t.app.inject({
        method: 'POST',
        url: '/api/cart/checkout',
        headers: { ...alice, 'idempotency-key': 'checkout-once' },
      });
      expect(retried.json().order_id).toBe(orderId);
      const [event] = (await catalog.events('cart_events')).filter((row) => row.message.order_id === orderId);
      await catalog.redeliver('cart_events', 'cart.checked_out', event!.message);
      await catalog.emit('cart_events', 'cart.checked_out', 1, {
        order_id: orderId,
        user_id: aliceId,
        items: [{ product_id: 2, quantity: 9, unit_price: '0.01' }],
      });
      expect(await countOrders()).toBe(before + 1);
      expect((await get(alice, `/${orderId}`)).json().items).toMatchObject([{ product_id: 1, quantity: 1 }]);
      expect(await orderEvents(orderId)).toHaveLength(1);
    });

    it('when the checked-out product is not known to orders yet, then the event is retried, not dropped', async () => {
      const orderId = '00000000-0000-4000-8000-00000000abcd';
      await catalog.emit('cart_events', 'cart.checked_out', 1, {
        order_id: orderId,
        user_id: aliceId,
        items: [{ product_id: 777, quantity: 1, unit_price: '1.00' }],
      });
      const dead = await queryRows<{ queue: string; attempts: number }>(
        t.database.db,
        sql`select queue, attempts from platform.dead_letters where message->>'order_id' = ${orderId}`,
      );
      expect(dead).toEqual([{ queue: 'orders.cart_events', attempts: 3 }]);
      expect((await get(alice, `/${orderId}`)).statusCode).toBe(404);
    });
  });
});
