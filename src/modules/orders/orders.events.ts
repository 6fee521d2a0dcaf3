import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { formatCents } from '../../platform/money.js';
import { type OrderEvent, ordersContract } from './contract.js';
import type { OrderRecord } from './orders.repository.js';

/** Every `order.*` event carries the whole order; its `version` is the order's. */
export function orderEvent(
  order: OrderRecord,
  routingKey: (typeof OrderEvent)[keyof typeof OrderEvent],
): OutboxEvent {
  return eventOf(ordersContract, routingKey, order.version, {
    order_id: order.id,
    user_id: order.userId,
    items: order.items.map((line) => ({
      product_id: line.productId,
      quantity: line.quantity,
      price: formatCents(line.unitPriceCents),
    })),
    status: order.status,
    total: formatCents(order.totalCents),
  });
}
