import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const REVIEW_EVENTS = 'review_events';

export const ReviewEvent = {
  created: 'review.created',
  updated: 'review.updated',
  deleted: 'review.deleted',
} as const;

export const ReviewEventPayload = Type.Object(
  {
    review_id: Type.Integer(),
    product_id: Type.Integer(),
    user_id: Type.Integer(),
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
  },
  { examples: [{ review_id: 88, product_id: 17, user_id: 5, rating: 5 }] },
);
export type ReviewEventPayload = Static<typeof ReviewEventPayload>;

export const reviewsContract = {
  exchange: REVIEW_EVENTS,
  events: [
    {
      routingKey: ReviewEvent.created,
      payload: ReviewEventPayload,
      description: 'A review was written; `version` is 1.',
    },
    {
      routingKey: ReviewEvent.updated,
      payload: ReviewEventPayload,
      description: "A review's rating, title or comment changed; `rating` is the new rating.",
    },
    {
      routingKey: ReviewEvent.deleted,
      payload: ReviewEventPayload,
      description: 'A review was deleted; `rating` is the rating it had, `version` its last revision + 1.',
    },
  ],
} as const satisfies ModuleContract;
