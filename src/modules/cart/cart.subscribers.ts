import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { centsOf } from '../../platform/money.js';
import { CategoryEvent, categoriesContract } from '../categories/contract.js';
import { OrderEvent, ordersContract } from '../orders/contract.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import { UserEvent, usersContract } from '../users/contract.js';
import { addressesOfUsers } from './addresses.repository.js';
import * as repository from './cart.repository.js';

type ProductRevision = EventOf<typeof productsContract, typeof ProductEvent.created>;
type CategoryRevision = EventOf<typeof categoriesContract, typeof CategoryEvent.created>;

const productOf = (event: ProductRevision) => ({
  productId: event.product_id,
  name: event.name,
  priceCents: centsOf(event.price),
  stock: event.stock,
  categoryId: event.category_id,
  version: event.version,
});

async function applyProduct(event: ProductRevision, tx: Executor): Promise<void> {
  await repository.applyProduct(tx, productOf(event));
}

async function applyProducts(events: ProductRevision[], tx: Executor): Promise<void> {
  await repository.applyProducts(tx, events.map(productOf));
}

async function applyCategory(event: CategoryRevision, tx: Executor): Promise<void> {
  await repository.applyCategory(tx, {
    categoryId: event.category_id,
    name: event.name,
    version: event.version,
  });
}

/** Every read model is an upsert guarded by the entity's version: a repeat changes nothing. */
const guarded = { versionGuarded: true };

/** The cart's read models: the catalog's products (price, stock) and category names, and the users' addresses. */
export const cartSubscriptions = [
  on(productsContract, ProductEvent.created, applyProduct, { ...guarded, many: applyProducts }),
  on(productsContract, ProductEvent.updated, applyProduct, { ...guarded, many: applyProducts }),
  on(
    productsContract,
    ProductEvent.deleted,
    (event, tx) => repository.tombstoneProduct(tx, event.product_id, event.version),
    guarded,
  ),
  // A repeat finds the checkout already marked; an order from no checkout finds none.
  on(
    ordersContract,
    OrderEvent.created,
    (event, tx) => repository.markOrderCreated(tx, event.order_id),
    guarded,
  ),
  on(categoriesContract, CategoryEvent.created, applyCategory, guarded),
  on(categoriesContract, CategoryEvent.updated, applyCategory, guarded),
  on(
    categoriesContract,
    CategoryEvent.deleted,
    (event, tx) => repository.tombstoneCategory(tx, event.category_id, event.version),
    guarded,
  ),
  on(usersContract, UserEvent.addressSaved, addressesOfUsers.saved, guarded),
  on(usersContract, UserEvent.addressDeleted, addressesOfUsers.deleted, guarded),
];
