import { formatCents } from '../../platform/money.js';
import type { CartLine, Checkout } from './cart.repository.js';
import type { Cart, CheckoutStatus } from './cart.schemas.js';

/** A line can be checked out while its product exists and has the stock for it. */
export const isAvailable = (line: CartLine) => !line.deleted && line.quantity <= line.stock;

/** The cart as the API shows it: lines with their prices as two-decimal strings. */
export function toCart(lines: CartLine[], updatedAt: Date): Cart {
  const items = lines.map((line) => ({
    product_id: line.productId,
    name: line.name,
    category_name: line.categoryName,
    unit_price: formatCents(line.priceCents),
    quantity: line.quantity,
    subtotal: formatCents(line.priceCents * line.quantity),
    available: isAvailable(line),
  }));
  return {
    items,
    total: formatCents(lines.reduce((sum, line) => sum + line.priceCents * line.quantity, 0)),
    item_count: lines.reduce((sum, line) => sum + line.quantity, 0),
    updated_at: updatedAt.toISOString(),
  };
}

/** Where a checkout's order is: the checkout's own address, the `Location` of its 202. */
export const checkoutLocation = (orderId: string) => `/api/cart/checkouts/${orderId}`;

export const orderLocation = (orderId: string) => `/api/orders/${orderId}`;

export function toCheckoutStatus(checkout: Checkout): CheckoutStatus {
  return checkout.orderCreated
    ? { order_id: checkout.orderId, status: 'created', order: orderLocation(checkout.orderId) }
    : { order_id: checkout.orderId, status: 'pending', order: null };
}
