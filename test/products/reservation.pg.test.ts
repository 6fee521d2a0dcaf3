import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { createEnvelope, type EventEnvelope } from '../../src/platform/events/envelope.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  recordedEvents,
} from './catalog.fixture.js';

/**
 * Races on real PostgreSQL: 20 connections, 64 deliveries in flight per queue, and a single attempt
 * per delivery so that a deadlock or a serialization failure would show up as a dead letter instead
 * of being hidden by a retry.
 */
let catalog: CatalogTest;
let database: TestDatabase;
let category: number;
beforeAll(async () => {
  const fresh = await createPostgresDatabase();
  database = { ...fresh, open: () => fresh.open(20) };
  catalog = await buildCatalogApp({
    testDatabase: database,
    config: { EVENT_PREFETCH: 64, EVENT_MAX_ATTEMPTS: 1, DATABASE_POOL_SIZE: 20 },
  });
  category = (await createCategory(catalog, { name: 'Contested' })).id;
});
afterAll(async () => {
  await catalog.t.close();
  await database.drop();
});

type Line = { product_id: number; quantity: number };
const orderEvent = (routingKey: string, orderId: string, items: Line[]) =>
  createEnvelope(routingKey, routingKey === 'order.created' ? 1 : 3, {
    order_id: orderId,
    user_id: 1,
    items: items.map((item) => ({ ...item, price: '1.00' })),
    status: routingKey === 'order.created' ? 'pending' : 'cancelled',
    total: '1.00',
  });
const publish = (message: EventEnvelope) =>
  catalog.t.app.platform.events.bus.publish('order_events', message.event.replace('_', '.'), message);

const stockOf = async (id: number): Promise<number> =>
  (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock;
const deadLetters = async () =>
  (
    await queryRows<{ n: number }>(
      catalog.t.database.db,
      sql`select count(*)::int as n from platform.dead_letters`,
    )
  )[0]!.n;
const answers = async (orderIds: Set<string>) =>
  (await recordedEvents(catalog.t, 'product_events')).filter((row) =>
    orderIds.has(row.message.order_id as string),
  );

describe('reservations under concurrency', () => {
  it('when 50 orders race for a stock of 10, then exactly 10 units are reserved and stock ends at 0', async () => {
    const product = await createProduct(catalog, { name: 'Last Ten', category, stock: 10 });
    const orders = Array.from({ length: 50 }, () => randomUUID());
    await Promise.all(
      orders.map((orderId) =>
        publish(orderEvent('order.created', orderId, [{ product_id: product.id, quantity: 1 }])),
      ),
    );
    expect(await stockOf(product.id)).toBe(0);
    const decided = await answers(new Set(orders));
    expect(decided.filter((row) => row.routing_key === 'stock.reserved')).toHaveLength(10);
    expect(decided.filter((row) => row.routing_key === 'stock.rejected')).toHaveLength(40);
    // One product.updated per change of the row: per order alone, per batch of orders together
    // (its stock after them); every revision a new version, the stock only going down, to 0.
    const revisions = (await recordedEvents(catalog.t, 'product_events', 'product.updated'))
      .filter((row) => row.message.product_id === product.id)
      .map((row) => ({ version: row.message.version as number, stock: row.message.stock as number }))
      .sort((a, b) => a.version - b.version);
    expect(revisions.length).toBeGreaterThan(0);
    expect(revisions.length).toBeLessThanOrEqual(10);
    expect(new Set(revisions.map((revision) => revision.version)).size).toBe(revisions.length);
    for (const [index, revision] of revisions.entries())
      expect(revision.stock).toBeLessThan(index === 0 ? 10 : revisions[index - 1]!.stock);
    expect(revisions.at(-1)!.stock).toBe(0);
    expect(await deadLetters()).toBe(0);
  });

  it('when one order.created is redelivered concurrently, under old and new event ids, then it reserves once', async () => {
    const product = await createProduct(catalog, { name: 'Once', category, stock: 100 });
    const orderId = randomUUID();
    const original = orderEvent('order.created', orderId, [{ product_id: product.id, quantity: 7 }]);
    const copies = Array.from({ length: 10 }, () => original);
    const republished = Array.from({ length: 10 }, () =>
      orderEvent('order.created', orderId, [{ product_id: product.id, quantity: 7 }]),
    );
    await Promise.all([...copies, ...republished].map(publish));
    expect(await stockOf(product.id)).toBe(93);
    expect((await answers(new Set([orderId]))).map((row) => row.routing_key)).toEqual(['stock.reserved']);
    expect(await deadLetters()).toBe(0);
  });

  it('when orders hold the same two products in opposite order, then none deadlocks over many rounds', async () => {
    const first = await createProduct(catalog, { name: 'Left Paw', category, stock: 10_000 });
    const second = await createProduct(catalog, { name: 'Right Paw', category, stock: 10_000 });
    const rounds = 25;
    const orders: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const forward = randomUUID();
      const backward = randomUUID();
      orders.push(forward, backward);
      const lines = (a: number, b: number) => [
        { product_id: a, quantity: 1 },
        { product_id: b, quantity: 2 },
      ];
      await Promise.all([
        publish(orderEvent('order.created', forward, lines(first.id, second.id))),
        publish(orderEvent('order.created', backward, lines(second.id, first.id))),
        publish(orderEvent('order.created', randomUUID(), lines(first.id, second.id))),
        publish(orderEvent('order.created', randomUUID(), lines(second.id, first.id))),
        ...(round > 0 ? [publish(orderEvent('order.cancelled', orders[2 * round - 2]!, []))] : []),
      ]);
    }
    expect(await deadLetters()).toBe(0);
    const decided = await answers(new Set(orders));
    expect(decided.filter((row) => row.routing_key === 'stock.reserved')).toHaveLength(2 * rounds);
    expect(decided.filter((row) => row.routing_key === 'stock.released')).toHaveLength(rounds - 1);
    // 4 orders a round, each taking 3 units of the two products together; rounds - 1 released.
    const taken = 4 * rounds * 3 - (rounds - 1) * 3;
    expect((await stockOf(first.id)) + (await stockOf(second.id))).toBe(20_000 - taken);
  });
});
