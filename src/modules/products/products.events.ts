import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { formatCents } from '../../platform/money.js';
import { ProductEvent, productsContract } from './contract.js';
import type { ProductRow } from './products.repository.js';
import type { ReservedLine } from './reservations.repository.js';

export function productRevised(
  routingKey: typeof ProductEvent.created | typeof ProductEvent.updated,
  product: ProductRow,
): OutboxEvent {
  return eventOf(productsContract, routingKey, product.version, {
    product_id: product.id,
    name: product.name,
    description: product.description,
    price: formatCents(product.priceCents),
    category_id: product.categoryId,
    animal_type: product.animalType,
    stock: product.stock,
  });
}

export function productDeleted(id: number, version: number): OutboxEvent {
  return eventOf(productsContract, ProductEvent.deleted, version, { product_id: id });
}

/** A reservation's revision: 1 when decided (reserved or rejected), 2 when released (docs/events.md). */
export function stockReserved(orderId: string, items: ReservedLine[]): OutboxEvent {
  return eventOf(productsContract, ProductEvent.stockReserved, 1, { order_id: orderId, items });
}

export function stockRejected(orderId: string, items: ReservedLine[], reason: string): OutboxEvent {
  return eventOf(productsContract, ProductEvent.stockRejected, 1, { order_id: orderId, items, reason });
}

export function stockReleased(orderId: string, items: ReservedLine[]): OutboxEvent {
  return eventOf(productsContract, ProductEvent.stockReleased, 2, { order_id: orderId, items });
}
