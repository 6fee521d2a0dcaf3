import type { OutboxEvent } from '../../platform/events/outbox.js';
import { formatCents } from '../../platform/money.js';
import {
  PRODUCT_EVENTS,
  type ProductDeletedPayload,
  ProductEvent,
  type ProductRevisionPayload,
  type StockPayload,
  type StockRejectedPayload,
} from './contract.js';
import type { ProductRow } from './products.repository.js';
import type { ReservedLine } from './reservations.repository.js';

export function productRevised(
  routingKey: typeof ProductEvent.created | typeof ProductEvent.updated,
  product: ProductRow,
): OutboxEvent {
  const payload: ProductRevisionPayload = {
    product_id: product.id,
    name: product.name,
    description: product.description,
    price: formatCents(product.priceCents),
    category_id: product.categoryId,
    animal_type: product.animalType,
    stock: product.stock,
  };
  return { exchange: PRODUCT_EVENTS, routingKey, version: product.version, payload };
}

export function productDeleted(id: number, version: number): OutboxEvent {
  const payload: ProductDeletedPayload = { product_id: id };
  return { exchange: PRODUCT_EVENTS, routingKey: ProductEvent.deleted, version, payload };
}

/** A reservation's revision: 1 when decided (reserved or rejected), 2 when released (docs/events.md). */
export function stockReserved(orderId: string, items: ReservedLine[]): OutboxEvent {
  const payload: StockPayload = { order_id: orderId, items };
  return { exchange: PRODUCT_EVENTS, routingKey: ProductEvent.stockReserved, version: 1, payload };
}

export function stockRejected(orderId: string, items: ReservedLine[], reason: string): OutboxEvent {
  const payload: StockRejectedPayload = { order_id: orderId, items, reason };
  return { exchange: PRODUCT_EVENTS, routingKey: ProductEvent.stockRejected, version: 1, payload };
}

export function stockReleased(orderId: string, items: ReservedLine[]): OutboxEvent {
  const payload: StockPayload = { order_id: orderId, items };
  return { exchange: PRODUCT_EVENTS, routingKey: ProductEvent.stockReleased, version: 2, payload };
}
