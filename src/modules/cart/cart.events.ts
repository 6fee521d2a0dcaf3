import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { formatCents } from '../../platform/money.js';
import type { CartLine } from './cart.repository.js';
import { CartEvent, cartContract, type ShippingAddress } from './contract.js';

/** The hand-over to orders: the id the order will have, the prices the cart showed and a copy of the address. */
export function cartCheckedOut(
  orderId: string,
  userId: number,
  lines: CartLine[],
  shippingAddress: ShippingAddress | null,
): OutboxEvent {
  return eventOf(cartContract, CartEvent.checkedOut, 1, {
    order_id: orderId,
    user_id: userId,
    items: lines.map((line) => ({
      product_id: line.productId,
      quantity: line.quantity,
      unit_price: formatCents(line.priceCents),
    })),
    shipping_address: shippingAddress,
  });
}
