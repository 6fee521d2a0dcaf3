import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Executor } from '../../platform/db/database.js';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import type { Delivery } from '../../platform/events/event-bus.js';
import type { ProductRef } from './categories.repository.js';
import * as repository from './categories.repository.js';

/** What this module reads of the products module's events (docs/events.md); the rest is ignored. */
const ProductRevision = Type.Object({
  product_id: Type.Integer(),
  category_id: Type.Union([Type.Integer(), Type.Null()]),
  version: Type.Integer(),
});
const ProductDeleted = Type.Object({ product_id: Type.Integer(), version: Type.Integer() });

/** A malformed event throws: the bus retries, then dead-letters it, rather than corrupting the counts. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  if (Value.Check(schema, message)) return message;
  const first = Value.Errors(schema, message).First();
  const eventId = (message as EventEnvelope).event_id;
  throw new Error(`malformed ${routingKey} event ${eventId}: ${first?.path} ${first?.message}`);
}

/** Keeps `product_count` from product events: an older or repeated revision changes nothing. */
export async function onProductEvent(message: EventEnvelope, tx: Executor, delivery: Delivery) {
  const { routingKey } = delivery;
  if (routingKey === 'product.created' || routingKey === 'product.updated') {
    const event = read(ProductRevision, message, routingKey);
    await applyProductRef(tx, {
      productId: event.product_id,
      categoryId: event.category_id,
      deleted: false,
      version: event.version,
    });
  } else if (routingKey === 'product.deleted') {
    const event = read(ProductDeleted, message, routingKey);
    await applyProductRef(tx, {
      productId: event.product_id,
      categoryId: null,
      deleted: true,
      version: event.version,
    });
  }
}

/**
 * A revision that leaves the product in its category (a price or stock change, most of them) only
 * moves the reference's version, in one statement; a move, a deletion or a first sight moves the
 * counts too, under the reference's row lock.
 */
async function applyProductRef(executor: Executor, next: ProductRef): Promise<void> {
  if (!next.deleted && (await repository.bumpProductRef(executor, next))) return;
  await executor.transaction((tx) => moveProductRef(tx as unknown as Executor, next));
}

async function moveProductRef(tx: Executor, next: ProductRef): Promise<void> {
  const current = await repository.lockProductRef(tx, next.productId);
  if (next.version <= current.version) return;
  const saved = { ...next, categoryId: next.deleted ? current.categoryId : next.categoryId };
  await repository.saveProductRef(tx, saved);
  const deltas = new Map<number, number>();
  const add = (ref: ProductRef, delta: number) => {
    if (ref.deleted || ref.categoryId === null) return;
    deltas.set(ref.categoryId, (deltas.get(ref.categoryId) ?? 0) + delta);
  };
  add(current, -1);
  add(saved, +1);
  // Counter rows are locked in id order so that two moves in opposite directions cannot deadlock.
  for (const [categoryId, delta] of [...deltas].sort(([a], [b]) => a - b)) {
    if (delta !== 0) await repository.addToProductCount(tx, categoryId, delta);
  }
}
