import { eq } from 'drizzle-orm';
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
