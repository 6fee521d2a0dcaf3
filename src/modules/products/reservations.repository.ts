import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { type ReservationStatus, type ReservedLine, reservations } from './products.tables.js';

export type Reservation = typeof reservations.$inferSelect;
export type { ReservedLine };

/** Inserts the order's row unless it exists; true when this call made it. Waits for a concurrent maker. */
export async function claimReservation(
  tx: Executor,
  orderId: string,
  status: ReservationStatus,
  items: ReservedLine[],
): Promise<boolean> {
  const rows = await tx
    .insert(reservations)
    .values({ orderId, status, items })
    .onConflictDoNothing()
    .returning({ orderId: reservations.orderId });
  return rows.length > 0;
}

export async function lockReservation(tx: Executor, orderId: string): Promise<Reservation> {
  const [row] = await tx.select().from(reservations).where(eq(reservations.orderId, orderId)).for('update');
  return row!;
}

export async function settleReservation(
  tx: Executor,
  orderId: string,
  change: { status: ReservationStatus; reason?: string; items?: ReservedLine[] },
): Promise<void> {
  await tx
    .update(reservations)
    .set({ ...change, updatedAt: new Date() })
    .where(eq(reservations.orderId, orderId));
}

/** `claimReservation` for many orders in one statement: the ids of the rows this call made. */
export async function claimReservations(
  tx: Executor,
  claims: readonly { orderId: string; items: ReservedLine[] }[],
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = await tx
    .insert(reservations)
    .values(claims.map(({ orderId, items }) => ({ orderId, status: 'pending' as const, items })))
    .onConflictDoNothing()
    .returning({ orderId: reservations.orderId });
  return new Set(rows.map((row) => row.orderId));
}

/** `settleReservation` (status and reason) for many orders in one statement. */
export async function settleReservations(
  tx: Executor,
  settled: readonly { orderId: string; status: ReservationStatus; reason: string | null }[],
): Promise<void> {
  if (settled.length === 0) return;
  await tx.execute(sql`
    update ${reservations} set status = s.status, reason = s.reason, updated_at = now()
    from unnest(
      ${sql.param(settled.map((row) => row.orderId))}::uuid[],
      ${sql.param(settled.map((row) => row.status))}::text[],
      ${sql.param(settled.map((row) => row.reason))}::text[]
    ) as s(order_id, status, reason)
    where ${reservations.orderId} = s.order_id`);
}
