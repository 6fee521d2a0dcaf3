import { formatCents } from '../../platform/money.js';
import type { OrderRecord } from './orders.repository.js';
import type { Order } from './orders.schemas.js';

/** An order as the API shows it: prices and subtotals as two-decimal strings. */
export function toOrder(order: OrderRecord): Order {
  return {
    id: order.id,
    user_id: order.userId,
    status: order.status,
    reason: order.reason,
    items: order.items.map((line) => ({
      product_id: line.productId,
      product_name: line.productName,
      unit_price: formatCents(line.unitPriceCents),
      quantity: line.quantity,
      subtotal: formatCents(line.unitPriceCents * line.quantity),
    })),
    total: formatCents(order.totalCents),
    shipping_address: order.shippingAddress,
    status_history: order.statusHistory,
    created_at: order.createdAt.toISOString(),
    updated_at: order.updatedAt.toISOString(),
  };
}
