import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesSubscriptions } from '../../src/modules/categories/categories.subscribers.js';
import type { DatabaseLane } from '../../src/platform/db/database.js';
import { createEnvelope } from '../../src/platform/events/envelope.js';
import type { Delivery } from '../../src/platform/events/event-bus.js';
import { inboxHandler } from '../../src/platform/events/inbox.js';
import { subscribedQueue } from '../helpers/subscribed-queue.js';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  deliver,
} from '../products/catalog.fixture.js';

let catalog: CatalogTest;
beforeAll(async () => {
  catalog = await buildCatalogApp();
});
afterAll(async () => catalog.t.close());

/** A `product.created` / `product.updated` payload of a product in `categoryId`. */
const productRevision = (id: number, categoryId: number) => ({
  product_id: id,
  name: `Product ${id}`,
  description: '',
  price: '1.00',
  category_id: categoryId,
  animal_type: 'dog',
  stock: 1,
});

const countOf = async (id: number): Promise<number> =>
  (await catalog.t.app.inject({ method: 'GET', url: `/api/categories/${id}` })).json().product_count;

describe('product_count, kept from product events', () => {
  it('when products are created and deleted, then the count follows', async () => {
    const category = await createCategory(catalog, { name: 'Counted' });
    const products = [];
    for (const name of ['One', 'Two', 'Three'])
      products.push(await createProduct(catalog, { name, category: category.id }));
    await catalog.t.settle();
    expect(await countOf(category.id)).toBe(3);
    await catalog.t.app.inject({
      method: 'DELETE',
      url: `/api/products/${products[0]!.id}`,
      headers: catalog.admin,
    });
    await catalog.t.settle();
    expect(await countOf(category.id)).toBe(2);
  });

  it('when a product moves to another category, then one count goes down and the other up', async () => {
    const from = await createCategory(catalog, { name: 'From' });
    const to = await createCategory(catalog, { name: 'To' });
    const product = await createProduct(catalog, { name: 'Mover', category: from.id });
    await catalog.t.settle();
    await catalog.t.app.inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { category: to.id },
    });
    await catalog.t.settle();
    expect([await countOf(from.id), await countOf(to.id)]).toEqual([0, 1]);
  });

  it('when a stock change is published, then the count does not move', async () => {
    const category = await createCategory(catalog, { name: 'Stocked' });
    const product = await createProduct(catalog, { name: 'Boxes', category: category.id, stock: 3 });
    await catalog.t.app.inject({
      method: 'POST',
      url: `/api/products/${product.id}/stock`,
      headers: catalog.admin,
      payload: { delta: 4 },
    });
    await catalog.t.settle();
    expect(await countOf(category.id)).toBe(1);
  });

  it('when the category still has products, then DELETE is a 409 until they are gone', async () => {
    const category = await createCategory(catalog, { name: 'Occupied' });
    const product = await createProduct(catalog, { name: 'Tenant', category: category.id });
    await catalog.t.settle();
    const url = `/api/categories/${category.id}`;
    const refused = await catalog.t.app.inject({ method: 'DELETE', url, headers: catalog.admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'CATEGORIES.HAS_PRODUCTS' });
    await catalog.t.app.inject({
      method: 'DELETE',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
    });
    await catalog.t.settle();
    expect((await catalog.t.app.inject({ method: 'DELETE', url, headers: catalog.admin })).statusCode).toBe(
      204,
    );
  });

  it('when events arrive late, twice or out of order, then each product counts once, where it last was', async () => {
    const a = await createCategory(catalog, { name: 'Order A' });
    const b = await createCategory(catalog, { name: 'Order B' });
    const revision = (version: number, categoryId: number) =>
      deliver(catalog.t, 'product_events', 'product.updated', version, {
        product_id: 900_001,
        name: 'Echo',
        description: '',
        price: '1.00',
        category_id: categoryId,
        animal_type: 'dog',
        stock: 1,
      });
    await revision(3, b.id);
    await revision(2, a.id);
    await revision(3, b.id);
    expect([await countOf(a.id), await countOf(b.id)]).toEqual([0, 1]);
    await deliver(catalog.t, 'product_events', 'product.deleted', 5, { product_id: 900_001 });
    await revision(4, a.id);
    expect([await countOf(a.id), await countOf(b.id)]).toEqual([0, 0]);
  });

  it('when a burst of product events arrives at once (applied in batches), then each product counts once, where its newest revision put it', async () => {
    const a = await createCategory(catalog, { name: 'Burst A' });
    const b = await createCategory(catalog, { name: 'Burst B' });
    const ids = Array.from({ length: 30 }, (_, index) => 910_000 + index);
    const events: [string, number, object][] = [];
    for (const [index, id] of ids.entries()) {
      events.push(['product.created', 1, productRevision(id, a.id)]);
      // A third move to B, then a few of those back to A; a sixth are deleted after.
      if (index % 3 === 0) events.push(['product.updated', 2, productRevision(id, b.id)]);
      if (index % 9 === 0) events.push(['product.updated', 3, productRevision(id, a.id)]);
      if (index % 6 === 0) events.push(['product.deleted', 4, { product_id: id }]);
      // Late and repeated revisions change nothing.
      if (index % 4 === 0) events.push(['product.created', 1, productRevision(id, b.id)]);
      if (index % 5 === 0) events.push(['product.updated', 2, productRevision(id, b.id)]);
    }
    await Promise.all(
      events.map(([key, version, payload]) => deliver(catalog.t, 'product_events', key, version, payload)),
    );
    await catalog.t.settle();
    // Where each product's newest revision leaves it (the first of equal versions wins, as one by
    // one: a version not newer than the row changes nothing); deleted ones count nowhere.
    const newest = new Map<number, { version: number; categoryId: number | null }>();
    for (const [, version, payload] of events) {
      const { product_id: id, category_id: categoryId } = payload as {
        product_id: number;
        category_id?: number;
      };
      if ((newest.get(id)?.version ?? 0) < version)
        newest.set(id, { version, categoryId: categoryId ?? null });
    }
    const expected = { [a.id]: 0, [b.id]: 0 };
    for (const { categoryId } of newest.values()) if (categoryId !== null) expected[categoryId]!++;
    expect(expected[b.id]).toBeGreaterThan(0);
    expect({ [a.id]: await countOf(a.id), [b.id]: await countOf(b.id) }).toEqual(expected);
  });

  it('when a burst is one batch, then it is applied set-based, not one by one again, and counts right', async () => {
    const a = await createCategory(catalog, { name: 'Set A' });
    const b = await createCategory(catalog, { name: 'Set B' });
    // The categories' queue as the runtime builds it, on a lane that counts how it is used: a
    // delivery applied alone reads `db`, a batch opens a transaction.
    const { handler, options } = subscribedQueue(categoriesSubscriptions);
    const database = catalog.t.database;
    let alone = 0;
    let batches = 0;
    const lane: DatabaseLane = {
      get db() {
        alone++;
        return database.db;
      },
      transaction(work) {
        batches++;
        return database.transaction(work);
      },
    };
    const handle = inboxHandler(lane, `categories.test.${randomUUID()}`, handler, options);
    const delivery = (routingKey: string, version: number, payload: object): Delivery => ({
      queue: 'categories.product_events',
      exchange: 'product_events',
      routingKey,
      message: createEnvelope(routingKey, version, payload),
      attempt: 1,
    });
    const deliveries = Array.from({ length: 40 }, (_, index) =>
      index < 30
        ? delivery('product.created', 1, productRevision(920_000 + index, a.id))
        : index < 36
          ? delivery('product.updated', 2, productRevision(920_000 + index - 30, b.id))
          : delivery('product.deleted', 3, { product_id: 920_000 + index - 30 }),
    );
    await Promise.all(deliveries.map((each) => handle(each)));
    // The first went alone (the queue was idle), the other 39 in one batch, never alone again.
    expect([alone, batches]).toEqual([1, 1]);
    // 30 made in A; 0-5 moved to B; 6-9 deleted from A.
    expect([await countOf(a.id), await countOf(b.id)]).toEqual([20, 6]);
  });

  it('when a redelivered event has the same event_id, then it is applied once', async () => {
    const category = await createCategory(catalog, { name: 'Redelivered' });
    const message = await deliver(catalog.t, 'product_events', 'product.created', 1, {
      product_id: 900_002,
      name: 'Twice',
      description: '',
      price: '1.00',
      category_id: category.id,
      animal_type: 'cat',
      stock: 0,
    });
    await catalog.t.app.platform.events.bus.publish('product_events', 'product.created', message);
    expect(await countOf(category.id)).toBe(1);
  });
});
