import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  recordedEvents,
} from './catalog.fixture.js';

let catalog: CatalogTest;
let category: number;
beforeAll(async () => {
  catalog = await buildCatalogApp({ config: { DATABASE_POOL_SIZE: 8 } });
  category = (await createCategory(catalog, { name: 'Stock Room' })).id;
});
afterAll(async () => catalog.t.close());

const adjust = (id: number, delta: unknown, headers = catalog.admin) =>
  catalog.t.app.inject({ method: 'POST', url: `/api/products/${id}/stock`, headers, payload: { delta } });

describe('POST /api/products/:id/stock', () => {
  it('when delta is positive or negative, then the stock moves and the product is answered', async () => {
    const product = await createProduct(catalog, { name: 'Leash', category, stock: 5 });
    const added = await adjust(product.id, 7);
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ id: product.id, stock: 12, category_name: 'Stock Room' });
    expect((await adjust(product.id, -12)).json().stock).toBe(0);
  });

  it('when the stock would go below zero, then it is a 409 and nothing changes', async () => {
    const product = await createProduct(catalog, { name: 'Collar', category, stock: 2 });
    const response = await adjust(product.id, -3);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'PRODUCTS.INSUFFICIENT_STOCK' });
    const after = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${product.id}` });
    expect(after.json().stock).toBe(2);
  });

  it('when every change is written, then each one publishes product.updated with the new stock', async () => {
    const product = await createProduct(catalog, { name: 'Harness', category, stock: 1 });
    await adjust(product.id, 4);
    await adjust(product.id, -2);
    await adjust(product.id, -9);
    const events = (await recordedEvents(catalog.t, 'product_events')).filter(
      (row) => row.message.product_id === product.id,
    );
    expect(events.map((row) => [row.routing_key, row.message.version, row.message.stock])).toEqual([
      ['product.created', 1, 1],
      ['product.updated', 2, 5],
      ['product.updated', 3, 3],
    ]);
  });

  it('when many decrements race for the last units, then the stock ends at 0, never below', async () => {
    const product = await createProduct(catalog, { name: 'Last Units', category, stock: 10 });
    const answers = await Promise.all(Array.from({ length: 30 }, () => adjust(product.id, -1)));
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(20);
    const after = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${product.id}` });
    expect(after.json().stock).toBe(0);
  });

  it.each([
    ['a fraction', 1.5],
    ['text', '3'],
    ['nothing', undefined],
  ])('when delta is %s, then it is a 400', async (_, delta) => {
    const product = await createProduct(catalog, { name: 'Typed', category });
    expect((await adjust(product.id, delta)).statusCode).toBe(400);
  });

  it('when the product does not exist, then it is a 404', async () => {
    expect((await adjust(747_474, 1)).statusCode).toBe(404);
  });

  it('when nobody or a customer tries, then it is a 401 or a 403', async () => {
    const product = await createProduct(catalog, { name: 'Guarded Stock', category });
    const anonymous = await catalog.t.app.inject({
      method: 'POST',
      url: `/api/products/${product.id}/stock`,
      payload: { delta: 1 },
    });
    expect([anonymous.statusCode, (await adjust(product.id, 1, catalog.customer)).statusCode]).toEqual([
      401, 403,
    ]);
  });
});
