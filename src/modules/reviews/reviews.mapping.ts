import type { ReviewView } from './reviews.repository.js';
import type { Review, ReviewSummary } from './reviews.schemas.js';
import type { ReviewSummaryResult } from './reviews.service.js';

/** A review as the API shows it, with its author's username from the read model. */
export function toReview(view: ReviewView): Review {
  return {
    id: view.id,
    product_id: view.productId,
    user_id: view.userId,
    username: view.username,
    rating: view.rating,
    title: view.title,
    comment: view.comment,
    verified_purchase: view.verifiedPurchase,
    created_at: view.createdAt.toISOString(),
    updated_at: view.updatedAt.toISOString(),
  };
}

export function toReviewSummary(summary: ReviewSummaryResult): ReviewSummary {
  return { ...summary, product_id: summary.productId };
}
