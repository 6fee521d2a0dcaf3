import { sql } from 'drizzle-orm';
import type { PgColumn, PgInsertValue, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Executor } from './executor.js';

/** A read-model table: one row per entity, with the entity's `version` as last seen. */
type VersionedTable = PgTable & { version: PgColumn };

/**
 * Writes a read model's row for an entity's revision unless the row holds one as new or newer, so
 * an event delivered twice, or late, changes nothing. `set` is what a newer revision overwrites
 * (by default all of `values`); a tombstone sets only its flag and version. Resolves to true when
 * the row was new (inserted), false when it was updated or left as it was.
 */
export async function saveIfNewer<T extends VersionedTable>(
  tx: Executor,
  table: T,
  target: PgColumn,
  values: PgInsertValue<T>,
  set: PgUpdateSetSource<T> = values as PgUpdateSetSource<T>,
): Promise<boolean> {
  const rows = await tx
    .insert(table)
    .values(values)
    .onConflictDoUpdate({ target, set, setWhere: sql`${table.version} < excluded.version` })
    // A row inserted by this statement has no deleting transaction yet: xmax is 0.
    .returning({ inserted: sql<boolean>`(xmax = 0)` });
  return rows[0]?.inserted === true;
}
