import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { CategoryEvent, categoriesContract } from '../categories/contract.js';
import { OrderEvent, ordersContract } from '../orders/contract.js';
import { ReviewEvent, reviewsContract } from '../reviews/contract.js';
import * as categories from './category-refs.repository.js';
import * as products from './products.repository.js';
import { releaseStock, reserveStock, reserveStocks } from './reservations.service.js';
import * as reviews from './review-refs.repository.js';

type CategoryRevision = EventOf<typeof categoriesContract, typeof CategoryEvent.created>;
type ReviewRevision = EventOf<typeof reviewsContract, typeof ReviewEvent.created>;

async function applyCategory(event: CategoryRevision, tx: Executor): Promise<void> {
  await categories.applyCategory(tx, {
    id: event.category_id,
    name: event.name,
    parentId: event.parent_id,
    version: event.version,
  });
}

/** Keeps the product's reviews and recomputes its rating; an older or repeated revision changes nothing. */
function applyReview(deleted: boolean) {
  return async (event: ReviewRevision, tx: Executor): Promise<void> => {
    // The product's row lock first: recomputations of one product's rating run one after another.
    await products.lockForRating(tx, event.product_id);
    const current = await reviews.lockReviewRef(tx, event.review_id, event.product_id);
    if (event.version <= current.version) return;
    await reviews.saveReviewRef(tx, {
      reviewId: event.review_id,
      productId: event.product_id,
      rating: event.rating,
      deleted,
      version: event.version,
    });
    await products.refreshRating(tx, event.product_id);
    if (current.productId !== event.product_id) await products.refreshRating(tx, current.productId);
  };
}

/**
 * The category references are upserts guarded by the category's version; reviews and orders go
 * through the inbox.
 */
export const productsSubscriptions = [
  on(categoriesContract, CategoryEvent.created, applyCategory, { versionGuarded: true }),
  on(categoriesContract, CategoryEvent.updated, applyCategory, { versionGuarded: true }),
  on(
    categoriesContract,
    CategoryEvent.deleted,
    (event, tx) => categories.tombstoneCategory(tx, event.category_id, event.version),
    { versionGuarded: true },
  ),
  on(reviewsContract, ReviewEvent.created, applyReview(false)),
  on(reviewsContract, ReviewEvent.updated, applyReview(false)),
  on(reviewsContract, ReviewEvent.deleted, applyReview(true)),
  // Every order takes the stock rows of the products it holds, a few popular ones most. Both
  // handlers lock them in ascending product id before writing, so two batches at once wait on each
  // other's locks in PostgreSQL (the second goes on as the first commits) rather than deadlock.
  on(ordersContract, OrderEvent.created, (event, tx) => reserveStock(tx, event.order_id, event.items), {
    sharedRows: true,
    locksInOrder: true,
    many: (events, tx) =>
      reserveStocks(
        tx,
        events.map((event) => ({ orderId: event.order_id, items: event.items })),
      ),
  }),
  on(ordersContract, OrderEvent.cancelled, (event, tx) => releaseStock(tx, event.order_id), {
    sharedRows: true,
    locksInOrder: true,
  }),
];
