import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { type ReviewEvent, reviewsContract } from './contract.js';
import type { ReviewRecord } from './reviews.repository.js';

/** Every `review.*` event carries the review's rating; its `version` is the review's. */
export function reviewEvent(
  routingKey: (typeof ReviewEvent)[keyof typeof ReviewEvent],
  review: ReviewRecord,
): OutboxEvent {
  return eventOf(reviewsContract, routingKey, review.version, {
    review_id: review.id,
    product_id: review.productId,
    user_id: review.userId,
    rating: review.rating,
  });
}
