import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Executor } from '../../platform/db/database.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { Delivery } from '../../platform/events/event-bus.js';
import { centsOf } from '../../platform/money.js';
import * as repository from './cart.repository.js';

/** What the cart reads of the catalog's events (docs/events.md); other fields are ignored. */
const ProductRevisionEvent = Type.Object({
  product_id: Type.Integer(),
  name: Type.String(),
  price: Type.Union([Type.String(), Type.Number()]),
  category_id: Type.Union([Type.Integer(), Type.Null()]),
  stock: Type.Integer(),
  version: Type.Integer(),
});
const ProductDeletedEvent = Type.Object({ product_id: Type.Integer(), version: Type.Integer() });
const CategoryRevisionEvent = Type.Object({
  category_id: Type.Integer(),
  name: Type.String(),
  version: Type.Integer(),
});
const CategoryDeletedEvent = Type.Object({ category_id: Type.Integer(), version: Type.Integer() });

/** A malformed event throws: the bus retries it, then dead-letters it, rather than corrupting the read model. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  if (Value.Check(schema, message)) return message;
  const first = Value.Errors(schema, message).First();
  const eventId = (message as EventEnvelope).event_id;
  throw new Error(`malformed ${routingKey} event ${eventId}: ${first?.path} ${first?.message}`);
}

export async function onProductEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  if (delivery.routingKey === 'product.created' || delivery.routingKey === 'product.updated') {
    const event = read(ProductRevisionEvent, message, delivery.routingKey);
    await repository.applyProduct(tx, {
      productId: event.product_id,
      name: event.name,
      priceCents: centsOf(event.price),
      stock: event.stock,
      categoryId: event.category_id,
      version: event.version,
    });
  } else if (delivery.routingKey === 'product.deleted') {
    const event = read(ProductDeletedEvent, message, delivery.routingKey);
    await repository.tombstoneProduct(tx, event.product_id, event.version);
  }
}

export async function onCategoryEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  if (delivery.routingKey === 'category.created' || delivery.routingKey === 'category.updated') {
    const event = read(CategoryRevisionEvent, message, delivery.routingKey);
    await repository.applyCategory(tx, {
      categoryId: event.category_id,
      name: event.name,
      version: event.version,
    });
  } else if (delivery.routingKey === 'category.deleted') {
    const event = read(CategoryDeletedEvent, message, delivery.routingKey);
    await repository.tombstoneCategory(tx, event.category_id, event.version);
  }
}
