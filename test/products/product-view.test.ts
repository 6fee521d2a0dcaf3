import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presentProduct } from '../../src/modules/products/products.mapping.js';
import { findProduct } from '../../src/modules/products/products.repository.js';
import { queryRows } from '../../src/platform/db/database.js';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  deliver,
} from './catalog.fixture.js';

/**
 * The catalog's hot reads (detail and list) map the driver's raw rows by hand (`product-view.repository.ts`);
 * every other answer maps a drizzle row with `presentProduct`. Both must write the same JSON, to
 * the byte, for any value: prices at the edges, microsecond times, ratings, names, no category.
 */
let catalog: CatalogTest;
const ids: number[] = [];

beforeAll(async () => {
  catalog = await buildCatalogApp();
  const dogs = (await createCategory(catalog, { name: 'Dogs “Ñandú” 🐕' })).id;
  const prices = ['0.00', '0.05', '0.50', '1.00', '12.34', '99999999.99'];
  for (const [index, price] of prices.entries()) {
    const product = await createProduct(catalog, {
      name: `Product ${index} “quoted” \\ back`,
      price,
      category: dogs,
      animal_type: 'dog',
      stock: index,
      description: index === 0 ? '' : `line\nnext ${'x'.repeat(index * 7)}`,
      specifications: index === 1 ? { nested: { list: [1, 'two', null, true] }, ü: 'ß' } : {},
    });
    ids.push(product.id);
  }
  // Times with microseconds, before 2000 and after 2099, and a product whose category is unknown.
  await queryRows(
    catalog.t.database.db,
    sql`update products.products set created_at = '1999-12-31 23:59:59.999999+00',
        updated_at = '2100-02-28 12:00:00.000500+05:30' where id = ${ids[0]!}`,
  );
  await queryRows(
    catalog.t.database.db,
    sql`update products.products set created_at = '2026-06-01 00:00:00.123456+00' where id = ${ids[2]!}`,
  );
  await queryRows(
    catalog.t.database.db,
    sql`update products.products set category_id = 987654 where id = ${ids[3]!}`,
  );
  for (const [index, rating] of [5, 4, 4, 1, 3].entries()) {
    await deliver(catalog.t, 'review_events', 'review.created', 1, {
      review_id: index + 1,
      product_id: ids[index % 2]!,
      user_id: index + 10,
      rating,
    });
  }
});
afterAll(async () => catalog.t.close());

async function presented(id: number) {
  const product = await findProduct(catalog.t.database.db, id);
  return JSON.stringify(presentProduct(product!));
}

describe('the catalog’s reads from raw rows', () => {
  it('when a product is read alone, then its JSON is byte for byte what the mapped row gives', async () => {
    for (const id of ids) {
      const response = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${id}` });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe(await presented(id));
    }
  });

  it('when products are listed, then each one is byte for byte what the mapped row gives', async () => {
    const response = await catalog.t.app.inject({
      method: 'GET',
      url: '/api/products?limit=100&ordering=price',
    });
    expect(response.statusCode).toBe(200);
    const page = JSON.parse(response.body) as { results: { id: number }[] };
    expect(page.results.map((product) => product.id).sort()).toEqual([...ids].sort());
    const body = response.body;
    for (const id of ids) expect(body).toContain(await presented(id));
  });

  it('when the values are at their edges, then the view shows them as the contract says', async () => {
    const response = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${ids[0]!}` });
    expect(response.json()).toMatchObject({
      price: '0.00',
      created_at: '1999-12-31T23:59:59.999Z',
      updated_at: '2100-02-28T06:30:00.000Z',
      rating_avg: 4,
      rating_count: 3,
    });
    const cheap = (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${ids[1]!}` })).json();
    expect(cheap).toMatchObject({ price: '0.05', rating_avg: 2.5, specifications: { ü: 'ß' } });
    const orphan = (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${ids[3]!}` })).json();
    expect(orphan).toMatchObject({
      category: 987654,
      category_name: null,
      rating_avg: null,
      rating_count: 0,
    });
    const top = (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${ids[5]!}` })).json();
    expect(top.price).toBe('99999999.99');
  });
});
