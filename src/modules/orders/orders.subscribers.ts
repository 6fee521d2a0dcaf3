import type { Executor } from '../../platform/db/database.js';
import { type EventOf, on } from '../../platform/events/contracts.js';
import { centsOf } from '../../platform/money.js';
import { CartEvent, cartContract } from '../cart/contract.js';
import { ProductEvent, productsContract } from '../products/contract.js';
import * as repository from './orders.repository.js';
import { takeCheckout, takeReservation } from './orders.service.js';

type ProductRevision = EventOf<typeof productsContract, typeof ProductEvent.created>;

async function applyProduct(event: ProductRevision, tx: Executor): Promise<void> {
  await repository.applyProduct(tx, {
    productId: event.product_id,
    name: event.name,
    priceCents: centsOf(event.price),
    version: event.version,
  });
}

/**
 * The product read model is guarded by the product's version; a stock answer moves an order once,
 * and a checkout makes one, through the inbox. `stock.released` follows a cancellation the order
 * already records.
 */
export const ordersSubscriptions = [
  on(productsContract, ProductEvent.created, applyProduct, { versionGuarded: true }),
  on(productsContract, ProductEvent.updated, applyProduct, { versionGuarded: true }),
  on(
    productsContract,
    ProductEvent.deleted,
    (event, tx) => repository.tombstoneProduct(tx, event.product_id, event.version),
    { versionGuarded: true },
  ),
  on(productsContract, ProductEvent.stockReserved, (event, tx) =>
    takeReservation(tx, event.order_id, 'confirmed'),
  ),
  on(productsContract, ProductEvent.stockRejected, (event, tx) =>
    takeReservation(tx, event.order_id, 'rejected', event.reason),
  ),
  on(cartContract, CartEvent.checkedOut, (event, tx) => takeCheckout(tx, event)),
];
