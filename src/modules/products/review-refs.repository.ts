import { eq } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { reviewRefs } from './products.tables.js';

export type ReviewRef = typeof reviewRefs.$inferSelect;

/** The review's row, locked; a first event finds a placeholder with version 0 that counts for nothing. */
export async function lockReviewRef(tx: Executor, reviewId: number, productId: number): Promise<ReviewRef> {
  await tx
    .insert(reviewRefs)
    .values({ reviewId, productId, rating: 0, deleted: true, version: 0 })
    .onConflictDoNothing();
  const [row] = await tx.select().from(reviewRefs).where(eq(reviewRefs.reviewId, reviewId)).for('update');
  return row!;
}

export async function saveReviewRef(tx: Executor, ref: ReviewRef): Promise<void> {
  await tx
    .update(reviewRefs)
    .set({ productId: ref.productId, rating: ref.rating, deleted: ref.deleted, version: ref.version })
    .where(eq(reviewRefs.reviewId, ref.reviewId));
}
