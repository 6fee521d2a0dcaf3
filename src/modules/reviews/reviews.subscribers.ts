import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { OrderEvent, ordersContract } from '../orders/contract.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import { UserEvent, usersContract } from '../users/contract.js';
import { saveOrder, saveProduct, saveProducts, saveUser } from './reviews.repository.js';

type UserChange = EventOf<typeof usersContract, typeof UserEvent.created>;
type OrderChange = EventOf<typeof ordersContract, typeof OrderEvent.created>;

/** Statuses that never make a verified purchase and never follow one: nothing to keep. */
const NEVER_PURCHASED = new Set(['pending', 'rejected']);

function saveProductAs(deleted: boolean) {
  return (event: { product_id: number; version: number }, executor: Executor) =>
    saveProduct(executor, { productId: event.product_id, deleted, version: event.version });
}

/** A batch's run of `product.created` / `product.updated`, in one statement. */
async function saveLiveProducts(events: { product_id: number; version: number }[], executor: Executor) {
  await saveProducts(
    executor,
    events.map((event) => ({ productId: event.product_id, deleted: false, version: event.version })),
  );
}

async function saveUserChange(event: UserChange, executor: Executor): Promise<void> {
  await saveUser(executor, { userId: event.user_id, username: event.username, version: event.version });
}

function saveOrderChange(cancelled: boolean) {
  return async (event: OrderChange, executor: Executor): Promise<void> => {
    const status = cancelled ? 'cancelled' : event.status;
    // A pending order becomes confirmed or rejected before it can count; a rejected one never does.
    if (NEVER_PURCHASED.has(status)) return;
    await saveOrder(executor, {
      orderId: event.order_id,
      userId: event.user_id,
      status,
      version: event.version,
      productIds: event.items.map((item) => item.product_id),
    });
  };
}

/**
 * The read models: products (exists, deleted), users (username), orders (verified purchases).
 * Each is an upsert guarded by the entity's version, so a repeated event changes nothing and needs
 * no inbox row.
 */
const guarded = { versionGuarded: true };

export const reviewsSubscriptions = [
  on(productsContract, ProductEvent.created, saveProductAs(false), { ...guarded, many: saveLiveProducts }),
  on(productsContract, ProductEvent.updated, saveProductAs(false), { ...guarded, many: saveLiveProducts }),
  on(productsContract, ProductEvent.deleted, saveProductAs(true), guarded),
  on(usersContract, UserEvent.created, saveUserChange, guarded),
  on(usersContract, UserEvent.updated, saveUserChange, guarded),
  on(ordersContract, OrderEvent.created, saveOrderChange(false), guarded),
  on(ordersContract, OrderEvent.updated, saveOrderChange(false), guarded),
  on(ordersContract, OrderEvent.cancelled, saveOrderChange(true), guarded),
];
