import { and, asc, count, desc, eq, gte, inArray, lte, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { preparedQuery } from '../../platform/db/prepared-query.js';
import type { PageWindow } from '../../platform/http/paging.js';
import type { AnimalType } from './animal-type.js';
import { categoriesStamp } from './category-refs.repository.js';
import type { Ordering } from './ordering.js';
import { type CategoryNames, type ProductView, productPageQuery } from './product-view.repository.js';
import { live } from './products.repository.js';
import { productCounts, products } from './products.tables.js';

// The catalog's listing: filtered, ordered pages of live products and their exact counts.

export interface ProductFilters {
  /** The category and all of its sub-categories. */
  categoryIds?: number[] | undefined;
  animalType?: AnimalType | undefined;
  search?: string | undefined;
  minCents?: number | undefined;
  maxCents?: number | undefined;
  inStock?: boolean | undefined;
}

/** Every ordering ends on the id so that pages are stable; each one has a matching index. */
const ORDER_BY: Record<Ordering, SQL[]> = {
  price: [asc(products.priceCents), asc(products.id)],
  '-price': [desc(products.priceCents), desc(products.id)],
  name: [asc(products.name), asc(products.id)],
  '-name': [desc(products.name), desc(products.id)],
  created_at: [asc(products.createdAt), asc(products.id)],
  '-created_at': [desc(products.createdAt), desc(products.id)],
  rating: [sql`${products.ratingAvg} asc nulls last`, asc(products.id)],
  '-rating': [sql`${products.ratingAvg} desc nulls last`, desc(products.id)],
};

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The filters as a query shape with placeholders (one prepared statement per shape) and their values. */
interface Shape {
  key: string;
  where: SQL;
  values: Record<string, unknown>;
}

function shapeOf(filters: ProductFilters): Shape {
  const conditions: SQL[] = [live];
  const values: Record<string, unknown> = {};
  const key: string[] = [];
  if (filters.categoryIds) {
    const ids = filters.categoryIds.map((id, index) => {
      values[`category${index}`] = id;
      return sql.placeholder(`category${index}`);
    });
    conditions.push(inArray(products.categoryId, ids));
    key.push(`category${ids.length}`);
  }
  if (filters.animalType) {
    conditions.push(eq(products.animalType, sql.placeholder('animalType')));
    values.animalType = filters.animalType;
    key.push('animal');
  }
  if (filters.search) {
    const pattern = sql.placeholder('pattern');
    conditions.push(sql`(${products.name} ilike ${pattern} or ${products.description} ilike ${pattern})`);
    values.pattern = `%${escapeLike(filters.search)}%`;
    key.push('search');
  }
  if (filters.minCents !== undefined) {
    conditions.push(gte(products.priceCents, sql.placeholder('minCents')));
    values.minCents = filters.minCents;
    key.push('min');
  }
  if (filters.maxCents !== undefined) {
    conditions.push(lte(products.priceCents, sql.placeholder('maxCents')));
    values.maxCents = filters.maxCents;
    key.push('max');
  }
  if (filters.inStock === true) {
    conditions.push(sql`${products.stock} > 0`);
    key.push('in-stock');
  }
  if (filters.inStock === false) {
    conditions.push(eq(products.stock, 0));
    key.push('out-of-stock');
  }
  return { key: key.join(' '), where: and(...conditions)!, values };
}

type Query<T> = (executor: Executor, values?: Record<string, unknown>) => Promise<T>;

/** One prepared query per shape, made on first use: the catalog's reads skip drizzle's builder. */
function shaped<Q>(queries: Map<string, Q>, key: string, make: () => Q): Q {
  let query = queries.get(key);
  if (!query) {
    query = make();
    queries.set(key, query);
  }
  return query;
}

const listQueries = new Map<string, ReturnType<typeof productPageQuery>>();

/**
 * A page of live products as the API shows them, their category names from `names` (on the
 * database, not inside a transaction).
 */
export async function listProducts(
  executor: Executor,
  filters: ProductFilters,
  ordering: Ordering,
  window: PageWindow,
  names: CategoryNames,
): Promise<ProductView[]> {
  const shape = shapeOf(filters);
  const query = shaped(listQueries, `${ordering} ${shape.key}`, () =>
    productPageQuery((select) =>
      select
        .where(shape.where)
        .orderBy(...ORDER_BY[ordering])
        .limit(sql.placeholder('limit'))
        .offset(sql.placeholder('offset')),
    ),
  );
  return query(executor, { ...shape.values, limit: window.limit, offset: window.offset }, names);
}

const countQueries = new Map<string, Query<Counted[]>>();

export interface Counted {
  n: number;
  /** `categoriesStamp` as the count's statement saw it. */
  stamp: number;
}

/** Shapes the tally answers: no filter, the category (with its sub-categories), the animal type. */
const TALLIED = /^(category\d+)?( ?animal)?$/;

/** The same placeholders as `shapeOf`, over `product_counts`. */
function tallyOf(filters: ProductFilters): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.categoryIds) {
    const ids = filters.categoryIds.map((_, index) => sql.placeholder(`category${index}`));
    conditions.push(inArray(productCounts.categoryId, ids));
  }
  if (filters.animalType) conditions.push(eq(productCounts.animalType, sql.placeholder('animalType')));
  return and(...conditions);
}

/**
 * Exact counts that do not scan the catalog: filtered at most by category and animal type, the
 * answer is a sum over `product_counts`, which triggers keep in step with every change of
 * `products` in the changing transaction (drizzle/products/0003). Other filters (search, price,
 * stock) count their matching rows, without join or ordering. Every count also reads the stamp of
 * the category tree, so that the caller knows whether the tree it filtered by and took the page's
 * category names from was still the database's.
 */
export async function countProducts(executor: Executor, filters: ProductFilters): Promise<Counted> {
  const shape = shapeOf(filters);
  const name = `products.count ${shape.key}`;
  const stamp = { stamp: categoriesStamp };
  const query = shaped(countQueries, name, () =>
    preparedQuery(name, (db) =>
      TALLIED.test(shape.key)
        ? db
            .select({ n: sql<number>`coalesce(sum(${productCounts.live}), 0)::int`, ...stamp })
            .from(productCounts)
            .where(tallyOf(filters))
        : db
            .select({ n: count(), ...stamp })
            .from(products)
            .where(shape.where),
    ),
  );
  const [row] = await query(executor, shape.values);
  return row ?? { n: 0, stamp: -1 };
}
