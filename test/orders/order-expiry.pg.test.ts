import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderExpiry, PAYMENT_TIMEOUT } from '../../src/modules/orders/orders.expiry.js';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../platform/bus-contract.js';
import { type Headers, ShopClient } from '../saga/saga-client.js';

const HOUR = 3_600_000;
const silent = pino({ level: 'silent' });

/**
 * Unpaid orders give their stock back: a confirmed order not paid within
 * ORDER_PAYMENT_WINDOW_MINUTES is cancelled by the system with reason `payment_timeout`, once,
 * whichever replica finds it. On real PostgreSQL: the replicas' sweeps race on row locks.
 */
describe('unpaid orders expire', () => {
  let t: TestApp;
  let shop: ShopClient;
  let staff: Headers;
  let category: number;
  let nextUser = 900;

  beforeAll(async () => {
    t = await buildTestApp({ config: { ORDER_PAYMENT_WINDOW_MINUTES: 60, ORDER_EXPIRY_CHECK_MS: 100 } });
    staff = await t.bearer({ id: 899, isStaff: true });
    shop = new ShopClient(t, staff);
    category = await shop.category('Cats');
  });
  afterAll(async () => t?.close());

  /** A confirmed order of `quantity` units of a fresh product with `stock`. */
  async function confirmedOrder(stock: number, quantity: number) {
    const customer = await t.bearer({ id: nextUser++ });
    const product = await shop.product(category, `Scratcher ${nextUser}`, '9.99', stock);
    const placed = await shop.placeOrder(customer, [{ product_id: product, quantity }]);
    expect(placed.statusCode).toBe(201);
    const orderId: string = placed.json().id;
    await eventually(async () => (await shop.order(customer, orderId)).status === 'confirmed', 10_000);
    return { customer, product, orderId };
  }

  /** Moves an order's confirmation `ms` into the past, as if that long had gone by. */
  const confirmedAgo = (database: Database, orderId: string, ms: number) =>
    database.db.execute(
      sql`update orders.orders set updated_at = now() - ${`${ms} milliseconds`}::interval where id = ${orderId}`,
    );

  const cancellations = async (orderId: string) =>
    (
      await queryRows<{ n: number }>(
        t.database.db,
        sql`select count(*)::int as n from platform.outbox
            where routing_key = 'order.cancelled' and message->>'order_id' = ${orderId}`,
      )
    )[0]!.n;

  it('when a confirmed order stays unpaid past its window, then the system cancels it and its stock comes back', async () => {
    const { customer, product, orderId } = await confirmedOrder(10, 3);
    expect(await shop.stockOf(product)).toBe(7);
    await confirmedAgo(t.database, orderId, 2 * HOUR);
    await eventually(async () => (await shop.order(customer, orderId)).status === 'cancelled', 10_000);
    const order = await shop.order(customer, orderId);
    expect(order.reason).toBe(PAYMENT_TIMEOUT);
    expect(order.status_history.map((change: { status: string }) => change.status)).toEqual([
      'pending',
      'confirmed',
      'cancelled',
    ]);
    await eventually(async () => (await shop.stockOf(product)) === 10, 10_000);
    expect(await cancellations(orderId)).toBe(1);
  });

  it('when an order was paid, or is still within its window, then it never expires', async () => {
    const paid = await confirmedOrder(5, 1);
    const moved = await shop.request('PATCH', `/api/orders/${paid.orderId}/status`, staff, {
      status: 'paid',
    });
    expect(moved.statusCode).toBe(200);
    await confirmedAgo(t.database, paid.orderId, 5 * HOUR);
    const recent = await confirmedOrder(5, 1);
    await confirmedAgo(t.database, recent.orderId, 30 * 60_000);
    // Several sweeps go by (every 100 ms).
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await shop.order(paid.customer, paid.orderId)).status).toBe('paid');
    expect((await shop.order(recent.customer, recent.orderId)).status).toBe('confirmed');
    expect(await shop.stockOf(paid.product)).toBe(4);
  });

  it('when two replicas sweep the same overdue orders at once, then each order is cancelled once and its stock released once', async () => {
    // Stop this app's own sweep from taking them first: they are back-dated only once the two
    // replicas below are ready, and the app's next sweep is at most 100 ms away — so race three.
    const orders = await Promise.all(Array.from({ length: 12 }, () => confirmedOrder(4, 2)));
    const replicas = await Promise.all([t.testDatabase.open(), t.testDatabase.open()]);
    try {
      for (const { orderId } of orders) await confirmedAgo(t.database, orderId, 2 * HOUR);
      const sweeps = await Promise.all(
        replicas.map((database) =>
          new OrderExpiry({ database, logger: silent, windowMinutes: 60, checkEveryMs: 60_000 }).sweep(),
        ),
      );
      for (const { orderId } of orders) {
        await eventually(async () => (await cancellations(orderId)) === 1, 10_000);
      }
      expect(sweeps.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(orders.length);
      await t.settle();
      for (const { orderId, product, customer } of orders) {
        expect(await cancellations(orderId)).toBe(1);
        expect((await shop.order(customer, orderId)).reason).toBe(PAYMENT_TIMEOUT);
        expect(await shop.stockOf(product)).toBe(4);
      }
    } finally {
      await Promise.all(replicas.map((database) => database.close()));
    }
  });

  it('when the window is 0, then confirmed orders are kept however old', async () => {
    const kept = await buildTestApp({
      config: { ORDER_PAYMENT_WINDOW_MINUTES: 0, ORDER_EXPIRY_CHECK_MS: 100 },
    });
    try {
      const keptShop = new ShopClient(kept, await kept.bearer({ id: 1, isStaff: true }));
      const customer = await kept.bearer({ id: 2 });
      const product = await keptShop.product(await keptShop.category('Birds'), 'Perch', '4.00', 3);
      const orderId: string = (
        await keptShop.placeOrder(customer, [{ product_id: product, quantity: 1 }])
      ).json().id;
      await eventually(async () => (await keptShop.order(customer, orderId)).status === 'confirmed', 10_000);
      await confirmedAgo(kept.database, orderId, 1000 * HOUR);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await keptShop.order(customer, orderId)).status).toBe('confirmed');
    } finally {
      await kept.close();
    }
  });
});
