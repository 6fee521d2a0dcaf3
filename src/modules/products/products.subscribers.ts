import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Executor } from '../../platform/db/database.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { Delivery } from '../../platform/events/event-bus.js';
import * as categories from './category-refs.repository.js';
import * as products from './products.repository.js';
import { releaseStock, reserveStock } from './reservations.service.js';
import * as reviews from './review-refs.repository.js';

/** What this module reads of other modules' events (docs/events.md); other fields are ignored. */
const CategoryRevision = Type.Object({
  category_id: Type.Integer(),
  name: Type.String(),
  parent_id: Type.Union([Type.Integer(), Type.Null()]),
  version: Type.Integer(),
});
const CategoryDeleted = Type.Object({ category_id: Type.Integer(), version: Type.Integer() });
const ReviewRevision = Type.Object({
  review_id: Type.Integer(),
  product_id: Type.Integer(),
  rating: Type.Integer({ minimum: 1, maximum: 5 }),
  version: Type.Integer(),
});
const OrderId = Type.String({ pattern: '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' });
const OrderCreated = Type.Object({
  order_id: OrderId,
  items: Type.Array(
    Type.Object({
      product_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
      quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    }),
    { minItems: 1 },
  ),
});
const OrderCancelled = Type.Object({ order_id: OrderId });

/** A malformed event throws: the bus retries, then dead-letters it, rather than corrupting a read model. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  if (Value.Check(schema, message)) return message;
  const first = Value.Errors(schema, message).First();
  const eventId = (message as EventEnvelope).event_id;
  throw new Error(`malformed ${routingKey} event ${eventId}: ${first?.path} ${first?.message}`);
}

export async function onCategoryEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  const { routingKey } = delivery;
  if (routingKey === 'category.created' || routingKey === 'category.updated') {
    const event = read(CategoryRevision, message, routingKey);
    await categories.applyCategory(tx, {
      id: event.category_id,
      name: event.name,
      parentId: event.parent_id,
      version: event.version,
    });
  } else if (routingKey === 'category.deleted') {
    const event = read(CategoryDeleted, message, routingKey);
    await categories.tombstoneCategory(tx, event.category_id, event.version);
  }
}

/** Keeps the product's reviews and recomputes its rating; an older or repeated revision changes nothing. */
export async function onReviewEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  const { routingKey } = delivery;
  if (!['review.created', 'review.updated', 'review.deleted'].includes(routingKey)) return;
  const event = read(ReviewRevision, message, routingKey);
  // The product's row lock first: recomputations of one product's rating run one after another.
  await products.lockForRating(tx, event.product_id);
  const current = await reviews.lockReviewRef(tx, event.review_id, event.product_id);
  if (event.version <= current.version) return;
  await reviews.saveReviewRef(tx, {
    reviewId: event.review_id,
    productId: event.product_id,
    rating: event.rating,
    deleted: routingKey === 'review.deleted',
    version: event.version,
  });
  await products.refreshRating(tx, event.product_id);
  if (current.productId !== event.product_id) await products.refreshRating(tx, current.productId);
}

export async function onOrderEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  const { routingKey } = delivery;
  if (routingKey === 'order.created') {
    const event = read(OrderCreated, message, routingKey);
    await reserveStock(tx, event.order_id, event.items);
  } else if (routingKey === 'order.cancelled') {
    const event = read(OrderCancelled, message, routingKey);
    await releaseStock(tx, event.order_id);
  }
}
