import { and, asc, count, eq, inArray, isNull, like, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/database.js';
import type { PageWindow } from '../../platform/http/paging.js';
import { categories, productRefs } from './categories.tables.js';

export type Category = typeof categories.$inferSelect;
export type NewCategory = Pick<Category, 'name' | 'slug' | 'description' | 'parentId'>;
export type CategoryChange = Pick<Category, 'name' | 'description' | 'parentId' | 'version'>;
export type ProductRef = typeof productRefs.$inferSelect;

/** `undefined`: every category; `null`: only top-level ones; a number: the children of that one. */
export type ParentFilter = number | null | undefined;

/** Every write to the taxonomy takes this lock, so name, slug and cycle checks cannot race. */
const TAXONOMY_LOCK = 7_271_101;

export async function lockTaxonomy(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${TAXONOMY_LOCK})`);
}

function parentCondition(parent: ParentFilter): SQL | undefined {
  if (parent === undefined) return undefined;
  return parent === null ? isNull(categories.parentId) : eq(categories.parentId, parent);
}

export async function findCategory(executor: Executor, id: number): Promise<Category | undefined> {
  const [row] = await executor.select().from(categories).where(eq(categories.id, id));
  return row;
}

export async function listCategories(
  executor: Executor,
  parent: ParentFilter,
  window: PageWindow,
): Promise<Category[]> {
  return executor
    .select()
    .from(categories)
    .where(parentCondition(parent))
    .orderBy(asc(categories.name), asc(categories.id))
    .limit(window.limit)
    .offset(window.offset);
}

export async function countCategories(executor: Executor, parent: ParentFilter): Promise<number> {
  const [row] = await executor.select({ n: count() }).from(categories).where(parentCondition(parent));
  return row?.n ?? 0;
}

export async function allCategories(executor: Executor): Promise<Category[]> {
  return executor.select().from(categories).orderBy(asc(categories.name), asc(categories.id));
}

export async function nameTaken(executor: Executor, name: string, exceptId?: number): Promise<boolean> {
  const sameName = sql`lower(${categories.name}) = lower(${name})`;
  const [row] = await executor
    .select({ id: categories.id })
    .from(categories)
    .where(exceptId === undefined ? sameName : and(sameName, ne(categories.id, exceptId)))
    .limit(1);
  return row !== undefined;
}

/** The slugs already used by `base` and its numbered variants (`base-2`, …). */
export async function slugsLike(executor: Executor, base: string): Promise<Set<string>> {
  const rows = await executor
    .select({ slug: categories.slug })
    .from(categories)
    .where(or(eq(categories.slug, base), like(categories.slug, `${base}-%`)));
  return new Set(rows.map((row) => row.slug));
}

/** The category and every category above it, nearest first. */
export async function lineageOf(executor: Executor, id: number): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    executor,
    sql`with recursive lineage(id, parent_id) as (
          select id, parent_id from categories.categories where id = ${id}
          union
          select c.id, c.parent_id from categories.categories c join lineage l on c.id = l.parent_id)
        select id from lineage`,
  );
  return rows.map((row) => Number(row.id));
}

export async function hasChildren(executor: Executor, id: number): Promise<boolean> {
  const [row] = await executor
    .select({ id: categories.id })
    .from(categories)
    .where(eq(categories.parentId, id))
    .limit(1);
  return row !== undefined;
}

export async function insertCategory(tx: Executor, values: NewCategory): Promise<Category> {
  const [row] = await tx.insert(categories).values(values).returning();
  return row!;
}

export async function updateCategory(tx: Executor, id: number, change: CategoryChange): Promise<Category> {
  const [row] = await tx
    .update(categories)
    .set({ ...change, updatedAt: new Date() })
    .where(eq(categories.id, id))
    .returning();
  return row!;
}

export async function deleteCategory(tx: Executor, id: number): Promise<void> {
  await tx.delete(categories).where(eq(categories.id, id));
}

/** The product's row, locked; a first event for a product finds an empty placeholder (version 0). */
export async function lockProductRef(tx: Executor, productId: number): Promise<ProductRef> {
  await tx
    .insert(productRefs)
    .values({ productId, categoryId: null, deleted: true, version: 0 })
    .onConflictDoNothing();
  const [row] = await tx.select().from(productRefs).where(eq(productRefs.productId, productId)).for('update');
  return row!;
}

/** Moves the version of a live reference that stays in `ref.categoryId`; false when it is not so. */
export async function bumpProductRef(executor: Executor, ref: ProductRef): Promise<boolean> {
  const bumped = await executor
    .update(productRefs)
    .set({ version: ref.version })
    .where(
      and(
        eq(productRefs.productId, ref.productId),
        lt(productRefs.version, ref.version),
        eq(productRefs.deleted, false),
        ref.categoryId === null ? isNull(productRefs.categoryId) : eq(productRefs.categoryId, ref.categoryId),
      ),
    )
    .returning({ productId: productRefs.productId });
  return bumped.length > 0;
}

export async function saveProductRef(tx: Executor, ref: ProductRef): Promise<void> {
  await tx
    .update(productRefs)
    .set({ categoryId: ref.categoryId, deleted: ref.deleted, version: ref.version })
    .where(eq(productRefs.productId, ref.productId));
}

export async function addToProductCount(tx: Executor, categoryId: number, delta: number): Promise<void> {
  await tx
    .update(categories)
    .set({ productCount: sql`${categories.productCount} + ${delta}` })
    .where(eq(categories.id, categoryId));
}

/** `lockProductRef` for many products: placeholders for the unknown, every row locked in id order. */
export async function lockProductRefs(
  tx: Executor,
  productIds: readonly number[],
): Promise<Map<number, ProductRef>> {
  const ids = [...new Set(productIds)].sort((a, b) => a - b);
  // The ids travel as one array: a statement prepared once, whatever the batch's size (an insert
  // finds conflicts through the primary key, whatever the plan).
  await tx.execute(sql`
    insert into ${productRefs} (product_id, category_id, deleted, version)
    select product_id, null, true, 0 from unnest(${sql.param(ids)}::int[]) with ordinality as p(product_id, position)
    order by position
    on conflict do nothing`);
  const rows = await tx
    .select()
    .from(productRefs)
    // One placeholder per id, planned each time: an `= any(array)` statement prepared while the
    // table was small would keep scanning it whole (as the outbox relay's mark did).
    .where(inArray(productRefs.productId, ids))
    .orderBy(asc(productRefs.productId))
    .for('update');
  return new Map(rows.map((row) => [row.productId, row]));
}

/** `saveProductRef` for many rows (locked by `lockProductRefs`), in one statement. */
export async function saveProductRefs(tx: Executor, refs: readonly ProductRef[]): Promise<void> {
  if (refs.length === 0) return;
  // postgres.js types an array of booleans as one boolean ("cannot cast type boolean to
  // boolean[]"): the flags travel as text and are cast here.
  await tx.execute(sql`
    update ${productRefs} set category_id = v.category_id, deleted = v.deleted, version = v.version
    from unnest(
      ${sql.param(refs.map((ref) => ref.productId))}::int[],
      ${sql.param(refs.map((ref) => ref.categoryId))}::int[],
      ${sql.param(refs.map((ref) => String(ref.deleted)))}::text[]::bool[],
      ${sql.param(refs.map((ref) => ref.version))}::int[]
    ) as v(product_id, category_id, deleted, version)
    where ${productRefs.productId} = v.product_id`);
}

/** `addToProductCount` for many categories: their rows locked in id order, then one statement. */
export async function addToProductCounts(tx: Executor, deltas: ReadonlyMap<number, number>): Promise<void> {
  const moves = [...deltas].filter(([, delta]) => delta !== 0).sort(([a], [b]) => a - b);
  if (moves.length === 0) return;
  const ids = moves.map(([id]) => id);
  await tx
    .select({ id: categories.id })
    .from(categories)
    .where(inArray(categories.id, ids))
    .orderBy(asc(categories.id))
    .for('update');
  await tx.execute(sql`
    update ${categories} set product_count = product_count + d.delta
    from unnest(${sql.param(ids)}::int[], ${sql.param(moves.map(([, delta]) => delta))}::int[]) as d(id, delta)
    where ${categories.id} = d.id`);
}
