import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  deliver,
  recordedEvents,
} from './catalog.fixture.js';

let catalog: CatalogTest;
let category: number;
beforeAll(async () => {
  catalog = await buildCatalogApp();
  category = (await createCategory(catalog, { name: 'Warehouse' })).id;
});
afterAll(async () => catalog.t.close());

type Line = { product_id: number; quantity: number };
const orderCreated = (orderId: string, items: Line[]) =>
  deliver(catalog.t, 'order_events', 'order.created', 1, {
    order_id: orderId,
    user_id: 7,
    items: items.map((item) => ({ ...item, price: '1.00' })),
    status: 'pending',
    total: '1.00',
  });
const orderCancelled = (orderId: string) =>
  deliver(catalog.t, 'order_events', 'order.cancelled', 3, {
    order_id: orderId,
    user_id: 7,
    items: [],
    status: 'cancelled',
    total: '0.00',
  });

const stockOf = async (id: number) =>
  (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${id}` })).json().stock;
const answersFor = async (orderId: string) =>
  (await recordedEvents(catalog.t, 'product_events')).filter((row) => row.message.order_id === orderId);

describe('order.created reserves stock', () => {
  it('when every line is available, then all are taken and stock.reserved is published at version 1', async () => {
    const a = await createProduct(catalog, { name: 'Bowl', category, stock: 5 });
    const b = await createProduct(catalog, { name: 'Mat', category, stock: 2 });
    const orderId = randomUUID();
    await orderCreated(orderId, [
      { product_id: b.id, quantity: 2 },
      { product_id: a.id, quantity: 3 },
    ]);
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([2, 0]);
    const [answer] = await answersFor(orderId);
    expect(answer?.routing_key).toBe('stock.reserved');
    expect(answer?.message).toMatchObject({
      event: 'stock_reserved',
      version: 1,
      order_id: orderId,
      items: [
        { product_id: a.id, quantity: 3 },
        { product_id: b.id, quantity: 2 },
      ],
    });
  });

  it('when stock is taken, then product.updated is published for each product with the new stock', async () => {
    const a = await createProduct(catalog, { name: 'Brush', category, stock: 4 });
    await orderCreated(randomUUID(), [{ product_id: a.id, quantity: 1 }]);
    const updates = (await recordedEvents(catalog.t, 'product_events', 'product.updated')).filter(
      (row) => row.message.product_id === a.id,
    );
    expect(updates.map((row) => [row.message.version, row.message.stock])).toEqual([[2, 3]]);
  });

  it('when the same product appears on two lines, then the quantities add up', async () => {
    const a = await createProduct(catalog, { name: 'Treats', category, stock: 5 });
    await orderCreated(randomUUID(), [
      { product_id: a.id, quantity: 2 },
      { product_id: a.id, quantity: 3 },
    ]);
    expect(await stockOf(a.id)).toBe(0);
  });

  it('when one line lacks stock, then nothing is taken and stock.rejected names the product', async () => {
    const a = await createProduct(catalog, { name: 'Crate', category, stock: 5 });
    const b = await createProduct(catalog, { name: 'Pad', category, stock: 1 });
    const orderId = randomUUID();
    await orderCreated(orderId, [
      { product_id: a.id, quantity: 5 },
      { product_id: b.id, quantity: 2 },
    ]);
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([5, 1]);
    const answers = await answersFor(orderId);
    expect(answers.map((row) => row.routing_key)).toEqual(['stock.rejected']);
    expect(answers[0]?.message).toMatchObject({
      version: 1,
      reason: `insufficient stock for product ${b.id}`,
      items: [
        { product_id: a.id, quantity: 5 },
        { product_id: b.id, quantity: 2 },
      ],
    });
  });

  it('when a product is unknown or deleted, then the order is rejected with that reason', async () => {
    const deleted = await createProduct(catalog, { name: 'Retired', category, stock: 9 });
    await catalog.t.app.inject({
      method: 'DELETE',
      url: `/api/products/${deleted.id}`,
      headers: catalog.admin,
    });
    const unknown = randomUUID();
    const gone = randomUUID();
    await orderCreated(unknown, [{ product_id: 656_565, quantity: 1 }]);
    await orderCreated(gone, [{ product_id: deleted.id, quantity: 1 }]);
    expect((await answersFor(unknown))[0]?.message.reason).toBe('unknown product 656565');
    expect((await answersFor(gone))[0]?.message.reason).toBe(`unknown product ${deleted.id}`);
  });

  it('when order.created comes again with a new event_id, then nothing is reserved twice', async () => {
    const a = await createProduct(catalog, { name: 'Bed', category, stock: 10 });
    const orderId = randomUUID();
    await orderCreated(orderId, [{ product_id: a.id, quantity: 4 }]);
    await orderCreated(orderId, [{ product_id: a.id, quantity: 4 }]);
    expect(await stockOf(a.id)).toBe(6);
    expect((await answersFor(orderId)).map((row) => row.routing_key)).toEqual(['stock.reserved']);
  });

  it('when the same message is redelivered, then the inbox drops it', async () => {
    const a = await createProduct(catalog, { name: 'Blanket', category, stock: 10 });
    const message = await orderCreated(randomUUID(), [{ product_id: a.id, quantity: 4 }]);
    await catalog.t.app.platform.events.bus.publish('order_events', 'order.created', message);
    expect(await stockOf(a.id)).toBe(6);
  });

  it('when an order.created is malformed, then it is dead-lettered, not half applied', async () => {
    const a = await createProduct(catalog, { name: 'Negative', category, stock: 10 });
    const message = await deliver(catalog.t, 'order_events', 'order.created', 1, {
      order_id: randomUUID(),
      items: [{ product_id: a.id, quantity: -5 }],
    });
    expect(await stockOf(a.id)).toBe(10);
    const parked = await queryRows<{ queue: string }>(
      catalog.t.database.db,
      sql`select queue from platform.dead_letters where event_id = ${message.event_id}`,
    );
    expect(parked).toEqual([{ queue: 'products.order_events' }]);
  });
});

describe('order.cancelled gives stock back', () => {
  it('when a reserved order is cancelled, then its stock comes back once and stock.released is version 2', async () => {
    const a = await createProduct(catalog, { name: 'Kennel', category, stock: 3 });
    const orderId = randomUUID();
    await orderCreated(orderId, [{ product_id: a.id, quantity: 3 }]);
    await orderCancelled(orderId);
    await orderCancelled(orderId);
    expect(await stockOf(a.id)).toBe(3);
    const answers = await answersFor(orderId);
    expect(answers.map((row) => [row.routing_key, row.message.version])).toEqual([
      ['stock.reserved', 1],
      ['stock.released', 2],
    ]);
    expect(answers[1]?.message.items).toEqual([{ product_id: a.id, quantity: 3 }]);
  });

  it('when a rejected order is cancelled, then nothing is given back', async () => {
    const a = await createProduct(catalog, { name: 'Scarce', category, stock: 1 });
    const orderId = randomUUID();
    await orderCreated(orderId, [{ product_id: a.id, quantity: 2 }]);
    await orderCancelled(orderId);
    expect(await stockOf(a.id)).toBe(1);
    expect((await answersFor(orderId)).map((row) => row.routing_key)).toEqual(['stock.rejected']);
  });

  it('when order.cancelled arrives before order.created, then the late order reserves nothing', async () => {
    const a = await createProduct(catalog, { name: 'Early Bird', category, stock: 5 });
    const orderId = randomUUID();
    await orderCancelled(orderId);
    await orderCreated(orderId, [{ product_id: a.id, quantity: 2 }]);
    await orderCreated(orderId, [{ product_id: a.id, quantity: 2 }]);
    expect(await stockOf(a.id)).toBe(5);
    const answers = await answersFor(orderId);
    expect(answers.map((row) => [row.routing_key, row.message.reason])).toEqual([
      ['stock.rejected', 'order cancelled'],
    ]);
  });

  it('when a burst of orders arrives at once (applied in batches), then each is served or refused in its turn, as one by one', async () => {
    const a = await createProduct(catalog, { name: 'Burst Bowl', category, stock: 5 });
    const b = await createProduct(catalog, { name: 'Burst Mat', category, stock: 3 });
    const cancelledFirst = randomUUID();
    await orderCancelled(cancelledFirst);
    const orders = Array.from({ length: 12 }, () => randomUUID());
    const lines: Line[][] = orders.map((_, index) =>
      index % 3 === 0
        ? [
            { product_id: b.id, quantity: 1 },
            { product_id: a.id, quantity: 1 },
          ]
        : index === 4
          ? [{ product_id: 999_999, quantity: 1 }]
          : [{ product_id: a.id, quantity: 1 }],
    );
    // Sent together, with a repeat of the first order and the late one that was cancelled first.
    await Promise.all([
      ...orders.map((orderId, index) => orderCreated(orderId, lines[index]!)),
      orderCreated(orders[0]!, lines[0]!),
      orderCreated(cancelledFirst, [{ product_id: a.id, quantity: 1 }]),
    ]);
    const outcomes = await Promise.all(
      orders.map(async (orderId) => (await answersFor(orderId)).map((row) => row.routing_key)),
    );
    // Every order answered once; the served ones took exactly the stock there was.
    expect(outcomes.every((answers) => answers.length === 1)).toBe(true);
    const served = orders.filter((_, index) => outcomes[index]![0] === 'stock.reserved');
    const taken = (id: number) =>
      served
        .flatMap((orderId) => lines[orders.indexOf(orderId)]!)
        .filter((line) => line.product_id === id)
        .reduce((sum, line) => sum + line.quantity, 0);
    expect(taken(a.id)).toBe(5);
    expect([await stockOf(a.id), await stockOf(b.id)]).toEqual([0, 3 - taken(b.id)]);
    const unknown = await answersFor(orders[4]!);
    expect(unknown.map((row) => [row.routing_key, row.message.reason])).toEqual([
      ['stock.rejected', 'unknown product 999999'],
    ]);
    expect((await answersFor(cancelledFirst)).map((row) => row.message.reason)).toEqual(['order cancelled']);
    // The products' revisions: each a new version, the last one the stock that is left.
    const revisions = (await recordedEvents(catalog.t, 'product_events', 'product.updated'))
      .map((row) => row.message)
      .filter((message) => message.product_id === a.id);
    expect(new Set(revisions.map((message) => message.version)).size).toBe(revisions.length);
    expect(revisions.at(-1)).toMatchObject({ stock: 0 });
    // Orders reserved together changed the product once: fewer revisions than orders served.
    expect(revisions.length).toBeLessThan(
      served.filter((orderId) => lines[orders.indexOf(orderId)]!.some((line) => line.product_id === a.id))
        .length,
    );
  });

  it('when a product was deleted before the release, then it stays deleted', async () => {
    const a = await createProduct(catalog, { name: 'Discontinued', category, stock: 2 });
    const orderId = randomUUID();
    await orderCreated(orderId, [{ product_id: a.id, quantity: 1 }]);
    await catalog.t.app.inject({ method: 'DELETE', url: `/api/products/${a.id}`, headers: catalog.admin });
    await orderCancelled(orderId);
    const response = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${a.id}` });
    expect(response.statusCode).toBe(404);
    expect((await answersFor(orderId)).map((row) => row.routing_key)).toEqual([
      'stock.reserved',
      'stock.released',
    ]);
  });
});
