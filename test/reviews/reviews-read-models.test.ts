import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { queryRows } from '../../src/platform/db/database.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  emit,
  orderChanged,
  postReview,
  productCreated,
  upstreamModules,
  userChanged,
} from './upstream-events.js';

describe('reviews: usernames and verified purchases from other modules’ events', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
    for (const product of [301, 302, 303]) await productCreated(t, product);
  });
  afterAll(async () => t.close());

  const read = async (id: number) =>
    (await t.app.inject({ method: 'GET', url: `/api/reviews/${id}` })).json();
  const review = async (userId: number, productId: number) => {
    const response = await postReview(t, userId, { product_id: productId, rating: 4, comment: 'nice' });
    expect(response.statusCode).toBe(201);
    return response.json().id as number;
  };

  describe('usernames', () => {
    it('when the user is not known yet, then the review shows user<id>, and the name once it arrives', async () => {
      const id = await review(60, 301);
      expect((await read(id)).username).toBe('user60');
      await userChanged(t, { id: 60, username: 'bea', version: 1 });
      expect((await read(id)).username).toBe('bea');
    });

    it('when the user is renamed, then every review of theirs shows the new name', async () => {
      const first = await review(61, 301);
      const second = await review(61, 302);
      await userChanged(t, { id: 61, username: 'carl', version: 1 });
      await userChanged(t, { id: 61, username: 'carlos', version: 2 });
      expect((await read(first)).username).toBe('carlos');
      const listed = (await t.app.inject({ method: 'GET', url: '/api/reviews?user=61' })).json();
      expect(listed.results.map((row: { id: number; username: string }) => [row.id, row.username])).toEqual([
        [second, 'carlos'],
        [first, 'carlos'],
      ]);
    });

    it('when an older user event arrives late, then the newer name stays', async () => {
      const id = await review(62, 301);
      await userChanged(t, { id: 62, username: 'dora-new', version: 3 });
      await userChanged(t, { id: 62, username: 'dora-old', version: 2, routingKey: 'user.updated' });
      await userChanged(t, { id: 62, username: 'dora-first', version: 1 });
      expect((await read(id)).username).toBe('dora-new');
    });
  });

  describe('verified purchases', () => {
    it('when the author has no order, then the review is not verified', async () => {
      expect((await read(await review(70, 301))).verified_purchase).toBe(false);
    });

    it('when an order is only pending, then it does not verify; when it is confirmed later, then it does', async () => {
      const orderId = randomUUID();
      const id = await review(71, 301);
      await orderChanged(t, { orderId, userId: 71, productIds: [301], status: 'pending', version: 1 });
      expect((await read(id)).verified_purchase).toBe(false);
      await orderChanged(t, { orderId, userId: 71, productIds: [301], status: 'confirmed', version: 2 });
      expect((await read(id)).verified_purchase).toBe(true);
      const listed = (await t.app.inject({ method: 'GET', url: '/api/reviews?user=71' })).json();
      expect(listed.results[0].verified_purchase).toBe(true);
    });

    it('when a confirmed order is cancelled, then the review is no longer verified', async () => {
      const orderId = randomUUID();
      await orderChanged(t, { orderId, userId: 72, productIds: [301, 302], status: 'pending', version: 1 });
      await orderChanged(t, { orderId, userId: 72, productIds: [301, 302], status: 'confirmed', version: 2 });
      const id = await review(72, 302);
      expect((await read(id)).verified_purchase).toBe(true);
      await orderChanged(t, { orderId, userId: 72, productIds: [301, 302], status: 'cancelled', version: 3 });
      expect((await read(id)).verified_purchase).toBe(false);
    });

    it('when an order is rejected, then it never verifies', async () => {
      const orderId = randomUUID();
      const id = await review(73, 301);
      await orderChanged(t, { orderId, userId: 73, productIds: [301], status: 'pending', version: 1 });
      await orderChanged(t, { orderId, userId: 73, productIds: [301], status: 'rejected', version: 2 });
      expect((await read(id)).verified_purchase).toBe(false);
    });

    it.each(['paid', 'shipped', 'delivered'])(
      'when the order is %s, then the review is verified',
      async (status) => {
        const userId = { paid: 74, shipped: 75, delivered: 76 }[status]!;
        const id = await review(userId, 303);
        await orderChanged(t, { orderId: randomUUID(), userId, productIds: [303], status, version: 4 });
        expect((await read(id)).verified_purchase).toBe(true);
      },
    );

    it('when the order holds another product or belongs to someone else, then it does not verify', async () => {
      const id = await review(77, 301);
      await orderChanged(t, {
        orderId: randomUUID(),
        userId: 77,
        productIds: [302],
        status: 'delivered',
        version: 5,
      });
      await orderChanged(t, {
        orderId: randomUUID(),
        userId: 78,
        productIds: [301],
        status: 'delivered',
        version: 5,
      });
      expect((await read(id)).verified_purchase).toBe(false);
    });

    it('when events arrive out of order, then the newest status wins', async () => {
      const orderId = randomUUID();
      const id = await review(79, 301);
      await orderChanged(t, { orderId, userId: 79, productIds: [301], status: 'paid', version: 3 });
      await orderChanged(t, { orderId, userId: 79, productIds: [301], status: 'pending', version: 1 });
      expect((await read(id)).verified_purchase).toBe(true);
      await orderChanged(t, { orderId, userId: 79, productIds: [301], status: 'cancelled', version: 4 });
      await orderChanged(t, { orderId, userId: 79, productIds: [301], status: 'confirmed', version: 2 });
      expect((await read(id)).verified_purchase).toBe(false);
    });

    it('when one order is cancelled but another confirmed order holds the product, then it stays verified', async () => {
      const [kept, cancelled] = [randomUUID(), randomUUID()];
      const id = await review(80, 301);
      await orderChanged(t, {
        orderId: kept,
        userId: 80,
        productIds: [301],
        status: 'confirmed',
        version: 2,
      });
      await orderChanged(t, {
        orderId: cancelled,
        userId: 80,
        productIds: [301],
        status: 'confirmed',
        version: 2,
      });
      await orderChanged(t, {
        orderId: cancelled,
        userId: 80,
        productIds: [301],
        status: 'cancelled',
        version: 3,
      });
      expect((await read(id)).verified_purchase).toBe(true);
    });

    it('when the review is written after the order was confirmed, then it is verified at once', async () => {
      await orderChanged(t, {
        orderId: randomUUID(),
        userId: 81,
        productIds: [303],
        status: 'confirmed',
        version: 2,
      });
      const created = await postReview(t, 81, { product_id: 303, rating: 5, comment: 'bought it' });
      expect(created.json().verified_purchase).toBe(true);
    });
  });

  it('when order events repeat, then the lines are kept once, pending and rejected orders not at all, and no inbox row is needed', async () => {
    const [bought, refused] = [randomUUID(), randomUUID()];
    const order = (orderId: string, status: string, version: number) =>
      orderChanged(t, { orderId, userId: 83, productIds: [302, 303, 302], status, version });
    await order(bought, 'pending', 1);
    await order(refused, 'pending', 1);
    await order(refused, 'rejected', 2);
    const kept = () =>
      queryRows<{ order_id: string; status: string; version: number; lines: number[] }>(
        t.database.db,
        sql`select o.order_id, o.status, o.version,
                   array(select product_id from reviews.order_lines l where l.order_id = o.order_id order by 1) as lines
            from reviews.orders o where o.user_id = 83`,
      );
    expect(await kept()).toEqual([]);
    await order(bought, 'confirmed', 2);
    await order(bought, 'confirmed', 2);
    await order(bought, 'paid', 3);
    await order(bought, 'confirmed', 2);
    expect(await kept()).toEqual([{ order_id: bought, status: 'paid', version: 3, lines: [302, 303] }]);
    const inbox = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from platform.inbox where consumer = 'reviews.order_events'`,
    );
    expect(inbox[0]?.n).toBe(0);
  });

  it('when an event is malformed, then it is dead-lettered and the read model is untouched', async () => {
    const id = await review(82, 301);
    await emit(t, 'user_events', 'user.updated', 5, { user_id: 82 });
    expect((await read(id)).username).toBe('user82');
    const parked = await queryRows<{ queue: string }>(
      t.database.db,
      sql`select queue from platform.dead_letters where queue = 'reviews.user_events'`,
    );
    expect(parked).toHaveLength(1);
  });
});
