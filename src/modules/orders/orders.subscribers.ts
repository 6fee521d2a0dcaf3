import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { centsOf } from '../../platform/money.js';
import { CartEvent, cartContract } from '../cart/contract.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import { UserEvent, usersContract } from '../users/contract.js';
import { addressesOfUsers } from './addresses.repository.js';
import { OrderEvent, ordersContract } from './contract.js';
import { mailOrderChange, mailWaiting } from './orders.mails.js';
import * as repository from './orders.repository.js';
import { takeCheckout, takeReservations } from './orders.service.js';
import type { OrderStatus } from './orders.state-machine.js';

type ProductRevision = EventOf<typeof productsContract, typeof ProductEvent.created>;
type UserRevision = EventOf<typeof usersContract, typeof UserEvent.created>;

/** Mails wait only for a customer orders does not know yet: they go when its row is first written. */
async function applyCustomer(event: UserRevision, tx: Executor): Promise<void> {
  const isNew = await repository.applyCustomer(tx, {
    userId: event.user_id,
    username: event.username,
    email: event.email,
    locale: event.locale ?? null,
    version: event.version,
  });
  if (isNew) await mailWaiting(tx, event.user_id);
}

type OrderChangeEvent = EventOf<typeof ordersContract, typeof OrderEvent.updated>;

const mailChange = (event: OrderChangeEvent, tx: Executor) =>
  mailOrderChange(tx, {
    orderId: event.order_id,
    userId: event.user_id,
    status: event.status as OrderStatus,
    total: event.total,
  });

const productOf = (event: ProductRevision) => ({
  productId: event.product_id,
  name: event.name,
  priceCents: centsOf(event.price),
  version: event.version,
});

async function applyProduct(event: ProductRevision, tx: Executor): Promise<void> {
  await repository.applyProduct(tx, productOf(event));
}

async function applyProducts(events: ProductRevision[], tx: Executor): Promise<void> {
  await repository.applyProducts(tx, events.map(productOf));
}

/** The stock answers of the same queue never read the product copies: those go last in a batch. */
const productRevisions = { versionGuarded: true, many: applyProducts, last: true };

type StockReserved = EventOf<typeof productsContract, typeof ProductEvent.stockReserved>;
type StockRejected = EventOf<typeof productsContract, typeof ProductEvent.stockRejected>;

const confirm = (events: StockReserved[], tx: Executor) =>
  takeReservations(
    tx,
    events.map((event) => ({ orderId: event.order_id, outcome: 'confirmed' })),
  );

const reject = (events: StockRejected[], tx: Executor) =>
  takeReservations(
    tx,
    events.map((event) => ({ orderId: event.order_id, outcome: 'rejected', reason: event.reason })),
  );

/**
 * The product read model is guarded by the product's version; a stock answer moves an order once,
 * and a checkout makes one, through the inbox. `stock.released` follows a cancellation the order
 * already records.
 */
export const ordersSubscriptions = [
  on(productsContract, ProductEvent.created, applyProduct, productRevisions),
  on(productsContract, ProductEvent.updated, applyProduct, productRevisions),
  on(
    productsContract,
    ProductEvent.deleted,
    (event, tx) => repository.tombstoneProduct(tx, event.product_id, event.version),
    { versionGuarded: true },
  ),
  on(productsContract, ProductEvent.stockReserved, (event, tx) => confirm([event], tx), { many: confirm }),
  on(productsContract, ProductEvent.stockRejected, (event, tx) => reject([event], tx), { many: reject }),
  on(cartContract, CartEvent.checkedOut, (event, tx) => takeCheckout(tx, event)),
  // The customers read model (for the order mails) is guarded by the user's version; the mails
  // are recorded through the inbox, once per order and status.
  on(usersContract, UserEvent.created, applyCustomer, { versionGuarded: true }),
  on(usersContract, UserEvent.updated, applyCustomer, { versionGuarded: true }),
  // The address book (for POST /api/orders with an address), guarded by each address's version.
  on(usersContract, UserEvent.addressSaved, addressesOfUsers.saved, { versionGuarded: true }),
  on(usersContract, UserEvent.addressDeleted, addressesOfUsers.deleted, { versionGuarded: true }),
  on(ordersContract, OrderEvent.updated, mailChange),
  on(ordersContract, OrderEvent.cancelled, mailChange),
];
