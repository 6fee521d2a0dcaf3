import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
