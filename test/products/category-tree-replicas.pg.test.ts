import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DETAIL_TREE_TRUST_MS } from '../../src/modules/products/products.service.js';
import { queryRows } from '../../src/platform/db/database.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { buildCatalogApp, type CatalogTest, createCategory, createProduct } from './catalog.fixture.js';

/**
 * Two replicas on one PostgreSQL database, each with its own bus: a category event reaches one of
 * them, yet both keep a category tree in memory for the listing. Once `category_refs` has changed,
 * each must list from the new tree at once, and name the category from it in a product's detail
 * once the detail's trust in its tree has run out (`DETAIL_TREE_TRUST_MS`).
 */
describe('category filter across replicas', () => {
  let testDatabase: TestDatabase;
  let replicas: [CatalogTest, CatalogTest];
  const category: Record<string, number> = {};
  let rope: number;

  beforeAll(async () => {
    testDatabase = await createPostgresDatabase();
    replicas = [await buildCatalogApp({ testDatabase }), await buildCatalogApp({ testDatabase })];
    const [first] = replicas;
    for (const name of ['Dogs', 'Cats']) category[name] = (await createCategory(first, { name })).id;
    category.Toys = (await createCategory(first, { name: 'Toys', parent_id: category.Dogs! })).id;
    rope = (await createProduct(first, { name: 'Rope', category: category.Toys })).id;
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.t.close();
    await testDatabase?.drop();
  });

  async function countIn(replica: CatalogTest, name: string): Promise<number> {
    const response = await replica.t.app.inject({ url: `/api/products?category=${category[name]}` });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().count;
  }

  async function parentOf(id: number): Promise<number | null> {
    const [row] = await queryRows<{ parent_id: number | null }>(
      replicas[0].t.database.db,
      sql`select parent_id from products.category_refs where id = ${id}`,
    );
    return row?.parent_id ?? null;
  }

  it('when a category moves, then every replica lists it under its new parent', async () => {
    const [first, second] = replicas;
    await vi.waitFor(async () => expect(await countIn(second, 'Dogs')).toBe(1), { timeout: 5_000 });
    expect(await countIn(first, 'Dogs')).toBe(1);
    expect(await countIn(second, 'Cats')).toBe(0);

    const moved = await first.t.app.inject({
      method: 'PATCH',
      url: `/api/categories/${category.Toys}`,
      headers: first.admin,
      payload: { parent_id: category.Cats },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await vi.waitFor(async () => expect(await parentOf(category.Toys!)).toBe(category.Cats), {
      timeout: 5_000,
    });

    for (const replica of replicas) {
      expect(await countIn(replica, 'Dogs')).toBe(0);
      expect(await countIn(replica, 'Cats')).toBe(1);
    }
  });

  it('when a category is renamed, then every replica names it so in the product’s detail within the trust window', async () => {
    const categoryNameIn = async (replica: CatalogTest) => {
      const response = await replica.t.app.inject({ url: `/api/products/${rope}` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().category_name;
    };
    for (const replica of replicas) expect(await categoryNameIn(replica)).toBe('Toys');

    const [first] = replicas;
    const renamed = await first.t.app.inject({
      method: 'PATCH',
      url: `/api/categories/${category.Toys}`,
      headers: first.admin,
      payload: { name: 'Chew toys' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    await vi.waitFor(
      async () => {
        const [row] = await queryRows<{ name: string }>(
          first.t.database.db,
          sql`select name from products.category_refs where id = ${category.Toys!}`,
        );
        expect(row?.name).toBe('Chew toys');
      },
      { timeout: 5_000 },
    );

    // Both trees were just used by the details above; past the window each must check its tree.
    await new Promise((resolve) => setTimeout(resolve, DETAIL_TREE_TRUST_MS + 50));
    for (const replica of replicas) expect(await categoryNameIn(replica)).toBe('Chew toys');
  });
});
