import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { buildCatalogApp, type CatalogTest, createCategory } from './catalog.fixture.js';

const PRODUCTS = 100_000;
let catalog: CatalogTest;

/** The plan of the catalog's search predicate (products.repository.ts), as the database would run it. */
async function searchPlan(pattern: string): Promise<string> {
  const rows = await queryRows<Record<string, string>>(
    catalog.t.database.db,
    sql`explain select id from products.products
        where deleted_at is null and (name ilike ${pattern} or description ilike ${pattern})`,
  );
  return rows.map((row) => Object.values(row)[0]).join('\n');
}

beforeAll(async () => {
  catalog = await buildCatalogApp();
  const category = (await createCategory(catalog, { name: 'Everything' })).id;
  await catalog.t.database.transaction(async (tx) => {
    await tx.execute(sql`
      insert into products.products (name, description, price_cents, category_id, animal_type)
      select 'Product ' || n || ' ' || md5(n::text), 'About product ' || n, 100 + n % 5000, ${category}, 'dog'
      from generate_series(1, ${PRODUCTS}) as n`);
  });
  await catalog.t.database.db.execute(sql`analyze products.products`);
}, 300_000);
afterAll(async () => catalog?.t.close());

describe('product search on a 100,000-product catalogue', () => {
  it('when the database is the one this test runs on (PGlite by default), then pg_trgm is installed', async () => {
    const installed = await queryRows<{ extname: string }>(
      catalog.t.database.db,
      sql`select extname from pg_extension where extname = 'pg_trgm'`,
    );
    expect(installed).toEqual([{ extname: 'pg_trgm' }]);
  });

  it('when a search of three letters or more runs, then both trigram indexes serve it, not a scan of the catalogue', async () => {
    const plan = await searchPlan('%d41d8cd%');
    expect(plan).toContain('products_name_trgm_idx');
    expect(plan).toContain('products_description_trgm_idx');
    expect(plan).not.toMatch(/Seq Scan on products\b/);
  });
});
