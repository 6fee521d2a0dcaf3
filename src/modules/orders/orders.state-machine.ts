export const ORDER_STATUSES = [
  'pending',
  'confirmed',
  'rejected',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Where each status may go next (docs/api.md, Orders: States). */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['confirmed', 'rejected', 'cancelled'],
  confirmed: ['paid', 'cancelled'],
  paid: ['shipped', 'cancelled'],
  shipped: ['delivered'],
  delivered: [],
  rejected: [],
  cancelled: [],
};

/** The statuses an order may be in for a change to `target` to be allowed. */
export function sourcesOf(target: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((status) => NEXT[status].includes(target));
}

/**
 * `confirmed` and `rejected` are the stock reservation's answer, never set by hand: confirming by
 * hand could confirm stock that is not there, and rejecting by hand would strand a reservation
 * that products only gives back on `order.cancelled`.
 */
export const DECIDED_BY_RESERVATION: readonly OrderStatus[] = ['confirmed', 'rejected'];
