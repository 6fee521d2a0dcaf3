import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { eventName } from '../../platform/events/envelope.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import type { ProductRef } from './categories.repository.js';
import * as repository from './categories.repository.js';

/**
 * Keeps `product_count` from product events: an older or repeated revision changes nothing. Counts
 * move under the product reference's version, in a transaction of the handler's own. Every product
 * of a category moves its count row, so the queue applies one batch at a time (`sharedRows`).
 */
export const categoriesSubscriptions = [
  ...[ProductEvent.created, ProductEvent.updated].map((routingKey) =>
    on(productsContract, routingKey, (event, tx) => applyProductRef(tx, refOf(event)), {
      versionGuarded: true,
      sharedRows: true,
      many: applyProductRefs,
    }),
  ),
  on(productsContract, ProductEvent.deleted, (event, tx) => applyProductRef(tx, refOf(event)), {
    versionGuarded: true,
    sharedRows: true,
    many: applyProductRefs,
  }),
];

type ProductEventOf<K extends (typeof ProductEvent)[keyof typeof ProductEvent]> = EventOf<
  typeof productsContract,
  K
>;
type ProductRevision =
  | ProductEventOf<typeof ProductEvent.created>
  | ProductEventOf<typeof ProductEvent.deleted>;

/** A deletion keeps the product's last category (see `moveProductRef`), the others move it. */
function refOf(event: ProductRevision): ProductRef {
  return event.event === eventName(ProductEvent.deleted)
    ? { productId: event.product_id, categoryId: null, deleted: true, version: event.version }
    : {
        productId: event.product_id,
        categoryId: (event as ProductEventOf<typeof ProductEvent.created>).category_id,
        deleted: false,
        version: event.version,
      };
}

/**
 * A batch's run of product events in a few statements: every product's reference locked at once
 * (id order), the revisions applied in memory in their order as `moveProductRef` applies them one
 * by one, then the changed references and the counts written back, one statement each.
 */
async function applyProductRefs(events: ProductRevision[], tx: Executor): Promise<void> {
  const revisions = events.map(refOf);
  const current = await repository.lockProductRefs(
    tx,
    revisions.map((revision) => revision.productId),
  );
  const changed = new Map<number, ProductRef>();
  const deltas = new Map<number, number>();
  for (const next of revisions) {
    const known = current.get(next.productId)!;
    if (next.version <= known.version) continue;
    const saved = { ...next, categoryId: next.deleted ? known.categoryId : next.categoryId };
    countMove(deltas, known, saved);
    current.set(next.productId, saved);
    changed.set(next.productId, saved);
  }
  await repository.saveProductRefs(tx, [...changed.values()]);
  await repository.addToProductCounts(tx, deltas);
}

/** What moving a reference from `before` to `after` does to the counts. */
function countMove(deltas: Map<number, number>, before: ProductRef, after: ProductRef): void {
  for (const [ref, delta] of [
    [before, -1],
    [after, +1],
  ] as const) {
    if (ref.deleted || ref.categoryId === null) continue;
    deltas.set(ref.categoryId, (deltas.get(ref.categoryId) ?? 0) + delta);
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
  countMove(deltas, current, saved);
  // Counter rows are locked in id order so that two moves in opposite directions cannot deadlock.
  for (const [categoryId, delta] of [...deltas].sort(([a], [b]) => a - b)) {
    if (delta !== 0) await repository.addToProductCount(tx, categoryId, delta);
  }
}
