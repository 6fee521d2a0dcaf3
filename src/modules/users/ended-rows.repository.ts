import { and, asc, inArray, lte, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../../platform/db/database.js';
import { accountTokens, loginAttempts, refreshTokens } from './users.tables.js';

/**
 * Deletes up to `batch` rows whose `endsAt` has passed (the oldest first), found through an index
 * on `endsAt` and deleted by `key`; answers how many.
 */
async function deleteEndedRows(
  executor: Executor,
  table: PgTable,
  key: PgColumn,
  endsAt: PgColumn,
  batch: number,
): Promise<number> {
  const ended = executor
    .select({ key })
    .from(table)
    .where(lte(endsAt, sql`now()`))
    .orderBy(asc(endsAt))
    .limit(batch);
  const deleted = await executor
    .delete(table)
    .where(and(inArray(key, ended), lte(endsAt, sql`now()`)))
    .returning({ key });
  return deleted.length;
}

/** What the sweep deletes, kind by kind: each deletes up to `batch` rows and answers how many. */
export const endedRows = {
  /** Login-attempt windows that have ended. */
  loginWindows: (executor: Executor, batch: number) =>
    deleteEndedRows(executor, loginAttempts, loginAttempts.key, loginAttempts.resetsAt, batch),
  /** Refresh tokens past their expiry (used, revoked or not). */
  refreshTokens: (executor: Executor, batch: number) =>
    deleteEndedRows(executor, refreshTokens, refreshTokens.id, refreshTokens.expiresAt, batch),
  /** Mail tokens past their expiry (a used one expires like the others). */
  accountTokens: (executor: Executor, batch: number) =>
    deleteEndedRows(executor, accountTokens, accountTokens.id, accountTokens.expiresAt, batch),
};
