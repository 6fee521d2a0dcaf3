import { and, asc, count, desc, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import type { PageWindow } from '../../platform/http/paging.js';
import { addresses, users } from './users.tables.js';

export type AddressRecord = typeof addresses.$inferSelect;

export interface AddressFields {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  region: string | null;
  country: string;
  phone: string | null;
}

/** Holds the user's row lock until the transaction ends (the book's limit and default hold under races); false when no such user. */
export async function lockOwner(tx: Executor, userId: number): Promise<boolean> {
  const rows = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
  return rows.length > 0;
}

/** The default first, then by creation. */
export async function listAddresses(
  executor: Executor,
  userId: number,
  window: PageWindow,
): Promise<{ count: number; rows: AddressRecord[] }> {
  const found = await countAddresses(executor, userId);
  if (window.offset >= found) return { count: found, rows: [] };
  const rows = await executor
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    .orderBy(desc(addresses.isDefault), asc(addresses.createdAt), asc(addresses.id))
    .limit(window.limit)
    .offset(window.offset);
  return { count: found, rows };
}

export async function countAddresses(executor: Executor, userId: number): Promise<number> {
  const [row] = await executor.select({ n: count() }).from(addresses).where(eq(addresses.userId, userId));
  return Number(row?.n ?? 0);
}

export async function findAddress(
  executor: Executor,
  userId: number,
  id: number,
): Promise<AddressRecord | undefined> {
  const [row] = await executor
    .select()
    .from(addresses)
    .where(and(eq(addresses.userId, userId), eq(addresses.id, id)))
    .limit(1);
  return row;
}

export async function insertAddress(
  tx: Executor,
  address: AddressFields & { userId: number; isDefault: boolean },
): Promise<AddressRecord> {
  const [row] = await tx.insert(addresses).values(address).returning();
  return row!;
}

export async function updateAddress(
  tx: Executor,
  id: number,
  changes: Partial<AddressFields> & { isDefault?: boolean },
): Promise<AddressRecord> {
  const [row] = await tx
    .update(addresses)
    .set({ ...changes, version: sql`${addresses.version} + 1`, updatedAt: sql`now()` })
    .where(eq(addresses.id, id))
    .returning();
  return row!;
}

/** The user's default other than `keep` stops being it; answers what changed (none or one). */
export async function unsetDefault(tx: Executor, userId: number, keep: number): Promise<AddressRecord[]> {
  return tx
    .update(addresses)
    .set({ isDefault: false, version: sql`${addresses.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(addresses.userId, userId), eq(addresses.isDefault, true), ne(addresses.id, keep)))
    .returning();
}

export async function deleteAddress(tx: Executor, id: number): Promise<void> {
  await tx.delete(addresses).where(eq(addresses.id, id));
}

/** The most recently created address of the user, if any. */
export async function newestAddress(tx: Executor, userId: number): Promise<AddressRecord | undefined> {
  const [row] = await tx
    .select()
    .from(addresses)
    .where(eq(addresses.userId, userId))
    .orderBy(desc(addresses.createdAt), desc(addresses.id))
    .limit(1);
  return row;
}
