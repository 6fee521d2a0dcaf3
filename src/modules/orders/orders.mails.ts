import type { Executor } from '../../platform/db/database.js';
import { recordMail } from '../../platform/mail/mail-outbox.js';
import * as repository from './orders.repository.js';
import type { OrderStatus } from './orders.state-machine.js';

/** The reason a cancelled order's mail gives when nobody wrote one: the owner or the shop cancelled it. */
export const CANCELLED_ON_REQUEST = 'requested';

/** The statuses whose change the customer is told of by mail. */
const MAILED: ReadonlySet<OrderStatus> = new Set<OrderStatus>([
  'confirmed',
  'rejected',
  'cancelled',
  'shipped',
]);

/** What an order mail needs of the order's event. */
export interface OrderChange {
  orderId: string;
  userId: number;
  status: OrderStatus;
  total: string;
}

/**
 * The customer's mail for an order's change, from the order's own events: confirmed, rejected
 * (with the reason), cancelled (with the reason, `payment_timeout` when the system did it) and
 * shipped; no mail for the other statuses. Recorded once per order and status (the mail's key),
 * to the customer's current address, in the customer's language. A customer this module does not
 * know yet (its `user.created` still on the way) gets the mail when it arrives (`mailWaiting`).
 */
export async function mailOrderChange(tx: Executor, change: OrderChange): Promise<void> {
  if (!MAILED.has(change.status)) return;
  const customer = await repository.findCustomer(tx, change.userId);
  if (!customer) {
    await repository.keepUnsentMail(tx, change);
    return;
  }
  const to = {
    to: customer.email,
    locale: customer.locale,
    key: `orders:${change.status}:${change.orderId}`,
  };
  const order = { name: customer.username, order_id: change.orderId };
  const reason = async (fallback: string) =>
    (await repository.findOrder(tx, change.orderId))?.reason ?? fallback;
  if (change.status === 'confirmed')
    await recordMail(tx, { ...to, template: 'order_confirmed', data: { ...order, total: change.total } });
  else if (change.status === 'rejected')
    await recordMail(tx, {
      ...to,
      template: 'order_rejected',
      data: { ...order, reason: await reason('not enough stock') },
    });
  else if (change.status === 'cancelled')
    await recordMail(tx, {
      ...to,
      template: 'order_cancelled',
      data: { ...order, reason: await reason(CANCELLED_ON_REQUEST) },
    });
  else await recordMail(tx, { ...to, template: 'order_shipped', data: order });
}

/** The mails that waited for a customer who has just become known, in one transaction with their taking. */
export async function mailWaiting(executor: Executor, userId: number): Promise<void> {
  await executor.transaction(async (tx) => {
    for (const change of await repository.takeUnsentMails(tx as unknown as Executor, userId))
      await mailOrderChange(tx as unknown as Executor, change);
  });
}
