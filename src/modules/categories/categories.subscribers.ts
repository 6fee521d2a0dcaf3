import type { Executor } from '../../platform/db/database.js';
import { on } from '../../platform/events/contracts.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import type { ProductRef } from './categories.repository.js';
import * as repository from './categories.repository.js';

/**
 * Keeps `product_count` from product events: an older or repeated revision changes nothing. Counts
 * move under the product reference's version, in a transaction of the handler's own.
 */
export const categoriesSubscriptions = [
  ...[ProductEvent.created, ProductEvent.updated].map((routingKey) =>
    on(
      productsContract,
      routingKey,
      (event, tx) =>
        applyProductRef(tx, {
          productId: event.product_id,
          categoryId: event.category_id,
          deleted: false,
          version: event.version,
        }),
      { versionGuarded: true },
    ),
  ),
  on(
    productsContract,
    ProductEvent.deleted,
    (event, tx) =>
      applyProductRef(tx, {
        productId: event.product_id,
        categoryId: null,
        deleted: true,
        version: event.version,
      }),
    { versionGuarded: true },
  ),
];

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
