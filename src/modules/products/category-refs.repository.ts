import { and, eq, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/database.js';
import { saveIfNewer } from '../../platform/db/read-model.js';
import { categoryRefs } from './products.tables.js';

export interface CategoryRevision {
  id: number;
  name: string;
  parentId: number | null;
  version: number;
}

/** Stores the revision unless a newer one (or a newer tombstone) is already known. */
export async function applyCategory(tx: Executor, revision: CategoryRevision): Promise<void> {
  await saveIfNewer(tx, categoryRefs, categoryRefs.id, { ...revision, deleted: false });
}

/** A tombstone keeps the last known name, so products still in it show where they were. */
export async function tombstoneCategory(tx: Executor, id: number, version: number): Promise<void> {
  const tombstone = { id, name: '', parentId: null, deleted: true, version };
  await saveIfNewer(tx, categoryRefs, categoryRefs.id, tombstone, { deleted: true, version });
}

export async function isLiveCategory(executor: Executor, id: number): Promise<boolean> {
  const [row] = await executor
    .select({ id: categoryRefs.id })
    .from(categoryRefs)
    .where(and(eq(categoryRefs.id, id), eq(categoryRefs.deleted, false)));
  return row !== undefined;
}

/** The category and every category below it, however deep (UNION stops even on a transient cycle). */
export async function subtreeIds(executor: Executor, id: number): Promise<number[]> {
  const rows = await queryRows<{ id: number }>(
    executor,
    sql`with recursive subtree(id) as (
          select id from products.category_refs where id = ${id}
          union
          select c.id from products.category_refs c join subtree s on c.parent_id = s.id)
        select id from subtree`,
  );
  return rows.map((row) => Number(row.id));
}

export async function liveCategoryIds(executor: Executor): Promise<number[]> {
  const rows = await executor
    .select({ id: categoryRefs.id })
    .from(categoryRefs)
    .where(eq(categoryRefs.deleted, false));
  return rows.map((row) => row.id);
}
