import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/auth.js';
import { ReviewEvent } from './contract.js';
import {
  DuplicateReviewError,
  NotReviewAuthorError,
  ProductNotFoundError,
  ReviewNotFoundError,
} from './reviews.errors.js';
import { reviewEvent } from './reviews.events.js';
import type { ReviewContent, ReviewFilter, ReviewRecord, ReviewView } from './reviews.repository.js';
import * as repository from './reviews.repository.js';
import type { ReviewOrdering } from './reviews.schemas.js';

export interface ReviewSummaryResult {
  productId: number;
  average: number | null;
  count: number;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export function createReviewsService(database: Database) {
  return {
    async list(filter: ReviewFilter, ordering: ReviewOrdering, window: { limit: number; offset: number }) {
      const [results, count] = await Promise.all([
        repository.listVisibleReviews(database.db, filter, ordering, window),
        repository.countVisibleReviews(database.db, filter),
      ]);
      return { results, count };
    },

    async get(id: number): Promise<ReviewView> {
      const review = await repository.findVisibleReview(database.db, id);
      if (!review) throw new ReviewNotFoundError(id);
      return review;
    },

    async summary(productId: number): Promise<ReviewSummaryResult> {
      if (!(await repository.isProductAvailable(database.db, productId)))
        throw new ProductNotFoundError(productId);
      return summarise(productId, await repository.ratingCounts(database.db, productId));
    },

    create(
      author: Principal,
      input: { productId: number; rating: number; title?: string | undefined; comment: string },
    ) {
      return database.transaction(async (tx) => {
        if (!(await repository.isProductAvailable(tx, input.productId)))
          throw new ProductNotFoundError(input.productId);
        const review = await repository.insertReview(tx, {
          productId: input.productId,
          userId: author.id,
          rating: input.rating,
          title: input.title ?? '',
          comment: input.comment,
        });
        if (!review) throw new DuplicateReviewError(input.productId);
        await recordEvents(tx, [reviewEvent(ReviewEvent.created, review)]);
        return (await repository.findVisibleReview(tx, review.id))!;
      });
    },

    update(actor: Principal, id: number, content: ReviewContent) {
      return database.transaction(async (tx) => {
        const current = await lockVisible(tx, id);
        if (current.userId !== actor.id) throw new NotReviewAuthorError();
        const review = await repository.updateReview(tx, id, content);
        await recordEvents(tx, [reviewEvent(ReviewEvent.updated, review)]);
        return (await repository.findVisibleReview(tx, id))!;
      });
    },

    remove(actor: Principal, id: number) {
      return database.transaction(async (tx) => {
        const current = await lockVisible(tx, id);
        if (current.userId !== actor.id && !actor.isStaff)
          throw new NotReviewAuthorError('Only the author or an admin may delete this review');
        await repository.deleteReview(tx, id);
        await recordEvents(tx, [
          reviewEvent(ReviewEvent.deleted, { ...current, version: current.version + 1 }),
        ]);
      });
    },
  };
}

export type ReviewsService = ReturnType<typeof createReviewsService>;

/** A review of a deleted product is gone for every route, as it is from the listings. */
async function lockVisible(tx: Executor, id: number): Promise<ReviewRecord> {
  const review = await repository.lockReview(tx, id);
  if (!review || !(await repository.isProductAvailable(tx, review.productId)))
    throw new ReviewNotFoundError(id);
  return review;
}

/** Average rounded half up to one decimal from integer sums, so 3.75 is 3.8 and never 3.7. */
export function summarise(productId: number, counts: { rating: number; n: number }[]): ReviewSummaryResult {
  const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
  let total = 0;
  let sum = 0;
  for (const { rating, n } of counts) {
    distribution[String(rating) as keyof typeof distribution] = n;
    total += n;
    sum += rating * n;
  }
  const average = total === 0 ? null : Math.round((sum * 10) / total) / 10;
  return { productId, average, count: total, distribution };
}
