import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
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

export interface CategoryLink {
  id: number;
  /** As stored: a tombstone keeps the last name it knew ('' if it never knew one). */
  name: string;
  parentId: number | null;
  version: number;
}

/** Every category this module has heard of (tombstones included) with its name, parent and version. */
export async function categoryLinks(executor: Executor): Promise<CategoryLink[]> {
  return executor
    .select({
      id: categoryRefs.id,
      name: categoryRefs.name,
      parentId: categoryRefs.parentId,
      version: categoryRefs.version,
    })
    .from(categoryRefs);
}

/**
 * A number that changes whenever `category_refs` does: every write raises a row's version (they
 * are guarded by it) and no row is ever removed (deletions are tombstones), so the sum of the
 * versions only grows. The same sum over `categoryLinks` is the stamp of a tree read from them.
 */
export const categoriesStamp = sql<number>`(select coalesce(sum(${categoryRefs.version}), 0)::float8 from ${categoryRefs})`;

export async function liveCategoryIds(executor: Executor): Promise<number[]> {
  const rows = await executor
    .select({ id: categoryRefs.id })
    .from(categoryRefs)
    .where(eq(categoryRefs.deleted, false));
  return rows.map((row) => row.id);
}
