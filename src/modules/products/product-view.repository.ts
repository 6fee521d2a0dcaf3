import { and, eq, sql } from 'drizzle-orm';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import type { Executor } from '../../platform/db/database.js';
import { rawQuery } from '../../platform/db/raw-query.js';
import { formatCents } from '../../platform/money.js';
import type { AnimalType } from './animal-type.js';
import { categoriesStamp } from './category-refs.repository.js';
import { live } from './products.repository.js';
import { products } from './products.tables.js';

// The catalog's hot reads (the detail and the pages): rows as the driver hands them over, made the
// API's by hand. Every other read maps drizzle's rows with `presentProduct`; a test holds the two
// to the same bytes (test/products/product-view.test.ts).

/** A product as the API shows it. */
export interface ProductView {
  id: number;
  name: string;
  description: string;
  price: string;
  category: number;
  category_name: string | null;
  animal_type: AnimalType;
  stock: number;
  specifications: Record<string, unknown>;
  rating_avg: number | null;
  rating_count: number;
  created_at: string;
  updated_at: string;
}

/** A row of `viewColumns` as either driver hands it over. */
interface ViewRow {
  id: number;
  name: string;
  description: string;
  /** int8 as text: postgres.js leaves int8 unparsed, PGlite would make a BigInt of it. */
  price_cents: string;
  category_id: number;
  animal_type: AnimalType;
  stock: number;
  specifications: Record<string, unknown>;
  rating_avg: number | null;
  rating_count: number;
  /** postgres.js under drizzle leaves times as PostgreSQL writes them; PGlite parses them. */
  created_at: string | Date;
  updated_at: string | Date;
}

/**
 * The columns of `ViewRow` over `products`: plain columns, named, for `rawQuery`. Formatting stays
 * in JavaScript (`viewOf`): `to_char` for the two times cost PostgreSQL ~25 % more per page
 * (pgbench), on the same two cores as the app.
 */
const viewColumns = {
  id: sql<number>`${products.id}`.as('id'),
  name: sql<string>`${products.name}`.as('name'),
  description: sql<string>`${products.description}`.as('description'),
  price_cents: sql<string>`${products.priceCents}::text`.as('price_cents'),
  category_id: sql<number>`${products.categoryId}`.as('category_id'),
  animal_type: sql<AnimalType>`${products.animalType}`.as('animal_type'),
  stock: sql<number>`${products.stock}`.as('stock'),
  specifications: sql<Record<string, unknown>>`${products.specifications}`.as('specifications'),
  rating_avg: sql<number | null>`${products.ratingAvg}::float8`.as('rating_avg'),
  rating_count: sql<number>`${products.ratingCount}`.as('rating_count'),
  created_at: sql<string>`${products.createdAt}`.as('created_at'),
  updated_at: sql<string>`${products.updatedAt}`.as('updated_at'),
};

/** A `timestamptz` as PostgreSQL writes it in UTC: date, time, up to six fraction digits, `+00`. */
const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

/**
 * The time as `Date#toISOString` writes it (milliseconds, the rest cut off, as `Date` parses). A
 * UTC text is rewritten without a `Date` (parsing one was 2 % of the detail's CPU); any other form
 * (another session time zone, a year past 9999) goes through `Date`.
 */
export function isoOf(time: string | Date): string {
  if (typeof time !== 'string') return time.toISOString();
  if (!UTC_TEXT.test(time)) return new Date(time).toISOString();
  // Tested, not matched: no array of captures. The fraction starts at 20 and ends before `+00`.
  const { length } = time;
  const milliseconds =
    length === 22 ? '000' : length >= 26 ? time.slice(20, 23) : `${time.slice(20, length - 3)}00`.slice(0, 3);
  return `${time.slice(0, 10)}T${time.slice(11, 19)}.${milliseconds}Z`;
}

/** `presentProduct` for a raw row: the same JSON, byte for byte (test/products/product-view.test.ts). */
export function viewOf(row: ViewRow, categoryName: string | null): ProductView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: formatCents(Number(row.price_cents)),
    category: row.category_id,
    category_name: categoryName,
    animal_type: row.animal_type,
    stock: row.stock,
    specifications: row.specifications,
    rating_avg: row.rating_avg,
    rating_count: row.rating_count,
    created_at: isoOf(row.created_at),
    updated_at: isoOf(row.updated_at),
  };
}

const viewBuilder = new QueryBuilder();

/** A category's name as `category_refs` holds it, null if unknown (`CategoryTree.nameOf`). */
export type CategoryNames = (categoryId: number) => string | null;

type Shaped = { toSQL(): { sql: string; params: unknown[] } };

/**
 * A page of the catalog: drizzle writes the statement's text once, `rawQuery` sends it straight to
 * the driver, and `viewOf` makes each row the API's, skipping drizzle's per-column row mapping
 * (~10 % of the app's CPU on a page under load). The category names come from the caller's
 * category tree, not from a join: planning the join cost PostgreSQL more than the page's own
 * execution (`pg_stat_statements` with `track_planning`; the page has a fresh plan for its
 * limit and offset at every call).
 */
export function productPageQuery(
  shape: (query: ReturnType<typeof selectViews>) => Shaped,
): (executor: Executor, values: Record<string, unknown>, names: CategoryNames) => Promise<ProductView[]> {
  const query = rawQuery<ViewRow>(shape(selectViews()));
  return async (executor, values, names) =>
    (await query(executor, values)).map((row) => viewOf(row, names(row.category_id)));
}

function selectViews() {
  return viewBuilder.select(viewColumns).from(products).$dynamic();
}

const byId = and(eq(products.id, sql.placeholder('id')), live);
const findViewQuery = rawQuery<ViewRow>(viewBuilder.select(viewColumns).from(products).where(byId));
const findStampedViewQuery = rawQuery<ViewRow & { stamp: number }>(
  viewBuilder
    .select({ ...viewColumns, stamp: categoriesStamp.as('stamp') })
    .from(products)
    .where(byId),
);

/** A live product's row as the driver hands it over; `stamp` only when asked for. */
export type ProductRow = ViewRow & { stamp?: number };

/**
 * The live product's row in one statement whose plan is cached; with `stamped`, the stamp of
 * `category_refs` (`categoriesStamp`) too, for a caller whose category tree needs checking. A join
 * to `category_refs` for the name cost PostgreSQL more than the stamp (pg_stat_statements under
 * the bench's detail load: 29 µs against 20 µs a call without either), and the stamp's second
 * relation still costs a fifth of the statement (pgbench: 37,000–43,000 runs/s against
 * 45,000–54,000 without), so it is read only when the tree is due a check. `viewOf` makes the
 * row the API's.
 */
export async function findProductRow(
  executor: Executor,
  id: number,
  stamped: boolean,
): Promise<ProductRow | undefined> {
  const [row]: ProductRow[] = stamped
    ? await findStampedViewQuery(executor, { id })
    : await findViewQuery(executor, { id });
  return row;
}
