import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { buildCatalogApp, type CatalogTest, createCategory, createProduct } from './catalog.fixture.js';

// The listing resolves a category's subtree inside its page and count statements, from the
// products module's `category_refs`: these tests move and delete categories and hold both to it.

let catalog: CatalogTest;
const category: Record<string, number> = {};
const product: Record<string, number> = {};

beforeAll(async () => {
  catalog = await buildCatalogApp();
  for (const name of ['Dogs', 'Cats']) category[name] = (await createCategory(catalog, { name })).id;
  category['Dog Food'] = (await createCategory(catalog, { name: 'Dog Food', parent_id: category.Dogs! })).id;
  category['Puppy Food'] = (
    await createCategory(catalog, { name: 'Puppy Food', parent_id: category['Dog Food']! })
  ).id;
  const rows = [
    ['A', 'Puppy Food', 'dog', 0],
    ['B', 'Dog Food', 'dog', 4],
    ['C', 'Cats', 'cat', 2],
  ] as const;
  for (const [letter, categoryName, animalType, stock] of rows) {
    const created = await createProduct(catalog, {
      name: `${letter} product`,
      category: category[categoryName]!,
      animal_type: animalType,
      stock,
    });
    product[letter] = created.id;
  }
});
afterAll(async () => catalog.t.close());

async function changeCategory(id: number, change: Record<string, unknown>): Promise<void> {
  const response = await catalog.t.app.inject({
    method: 'PATCH',
    url: `/api/categories/${id}`,
    headers: catalog.admin,
    payload: change,
  });
  expect(response.statusCode, response.body).toBe(200);
  await catalog.t.settle();
}

/** The letters of the listed products (by name) and the count, for each way the count is made. */
async function listing(name: string, extra = ''): Promise<{ letters: string; count: number }> {
  const response = await catalog.t.app.inject({
    method: 'GET',
    url: `/api/products?category=${category[name]}&ordering=name${extra}`,
  });
  expect(response.statusCode, response.body).toBe(200);
  const page = response.json() as { count: number; results: { name: string }[] };
  return { letters: page.results.map((row) => row.name[0]).join(''), count: page.count };
}

async function expectListing(name: string, letters: string): Promise<void> {
  expect(await listing(name)).toEqual({ letters, count: letters.length });
  // Tallied count (category and animal type) and counted rows (a stock filter) agree with the page.
  const dogs = [...letters].filter((letter) => letter !== 'C').join('');
  expect(await listing(name, '&animalType=dog')).toEqual({ letters: dogs, count: dogs.length });
  const stocked = [...letters].filter((letter) => letter !== 'A').join('');
  expect(await listing(name, '&in_stock=true')).toEqual({ letters: stocked, count: stocked.length });
}

describe('GET /api/products?category= after the taxonomy changes', () => {
  it('when nothing moved, then a category lists its whole subtree', async () => {
    await expectListing('Dogs', 'AB');
    await expectListing('Dog Food', 'AB');
    await expectListing('Puppy Food', 'A');
    await expectListing('Cats', 'C');
  });

  it('when a sub-category moves to another parent, then its products move with it', async () => {
    await changeCategory(category['Dog Food']!, { parent_id: category.Cats! });
    await expectListing('Dogs', '');
    await expectListing('Cats', 'ABC');
    await expectListing('Dog Food', 'AB');
  });

  it('when it becomes top-level, then its old parent no longer lists it', async () => {
    await changeCategory(category['Dog Food']!, { parent_id: null });
    await expectListing('Cats', 'C');
    await expectListing('Dog Food', 'AB');
  });

  it('when a leaf is emptied and deleted, then the listings above it lose it', async () => {
    const moved = await catalog.t.app.inject({
      method: 'PATCH',
      url: `/api/products/${product.A}`,
      headers: catalog.admin,
      payload: { category: category.Dogs! },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await catalog.t.settle(); // the categories module counts the category's products from events
    const deleted = await catalog.t.app.inject({
      method: 'DELETE',
      url: `/api/categories/${category['Puppy Food']}`,
      headers: catalog.admin,
    });
    expect(deleted.statusCode, deleted.body).toBe(204);
    await catalog.t.settle();
    await expectListing('Puppy Food', '');
    await expectListing('Dog Food', 'B');
    await expectListing('Dogs', 'A');
  });

  it('when a category is created under another, then the parent lists its products', async () => {
    category.Treats = (
      await createCategory(catalog, { name: 'Treats', parent_id: category['Dog Food']! })
    ).id;
    const created = await createProduct(catalog, { name: 'D product', category: category.Treats, stock: 1 });
    product.D = created.id;
    await expectListing('Dog Food', 'BD');
  });

  it('when another replica renames a category, then the next listing shows the new name, with or without a filter', async () => {
    const names = async (query: string) => {
      const response = await catalog.t.app.inject({
        method: 'GET',
        url: `/api/products?ordering=name${query}`,
      });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as { results: { name: string; category_name: string | null }[] };
      return page.results.filter((row) => row.name === 'C product').map((row) => row.category_name);
    };
    // The tree (with its names) is in memory now.
    expect(await names('')).toEqual(['Cats']);
    // Another replica's consumer applied the rename: this process heard nothing of it.
    await queryRows(
      catalog.t.database.db,
      sql`update products.category_refs set name = 'Felines', version = version + 1 where id = ${category.Cats!}`,
    );
    expect(await names('')).toEqual(['Felines']);
    expect(await names(`&category=${category.Cats}`)).toEqual(['Felines']);
    expect(await names('&animalType=cat&in_stock=true')).toEqual(['Felines']);
    const detail = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${product.C}` });
    expect(detail.json()).toMatchObject({ category_name: 'Felines' });
  });
});
