import { getTableColumns, sql } from 'drizzle-orm';
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

/**
 * `saveIfNewer` for many revisions in one statement (a batch of deliveries): the newest revision
 * of each entity, written in ascending key order — the order every such statement locks its rows
 * in, so two of them never deadlock — unless the row holds one as new or newer. `only` names the
 * fields a newer revision overwrites (a tombstone's flag and version); by default all of them.
 */
export async function saveManyIfNewer<T extends VersionedTable>(
  tx: Executor,
  table: T,
  target: PgColumn,
  revisions: readonly PgInsertValue<T>[],
  only?: readonly string[],
): Promise<void> {
  if (revisions.length === 0) return;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const key = Object.keys(columns).find((name) => columns[name] === target);
  if (!key) throw new Error(`${target.name} is not a column of the table`);
  const newest = new Map<string | number, Record<string, unknown>>();
  for (const revision of revisions as readonly Record<string, unknown>[]) {
    const id = revision[key] as string | number;
    const known = newest.get(id);
    if (!known || (known.version as number) < (revision.version as number)) newest.set(id, revision);
  }
  const rows = [...newest].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  const fields = (only ?? Object.keys(rows[0]!)).filter((name) => name !== key);
  const set = Object.fromEntries(
    fields.map((name) => [name, sql.raw(`excluded."${columns[name]!.name}"`)]),
  ) as PgUpdateSetSource<T>;
  await tx
    .insert(table)
    .values(rows as PgInsertValue<T>[])
    .onConflictDoUpdate({ target, set, setWhere: sql`${table.version} < excluded.version` });
}
