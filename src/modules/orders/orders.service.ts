import { randomUUID } from 'node:crypto';
import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import type { Principal } from '../../platform/http/auth.js';
import { idempotent, type StoredAnswer } from '../../platform/http/idempotency.js';
import type { PageWindow } from '../../platform/http/paging.js';
import { centsOf } from '../../platform/money.js';
import type { CartCheckedOut } from '../cart/contract.js';
import { addressesOfUsers } from './addresses.repository.js';
import { OrderEvent } from './contract.js';
import {
  AddressNotFoundError,
  DuplicateProductError,
  InvalidTransitionError,
  OrderNotFoundError,
  UnknownProductsError,
} from './orders.errors.js';
import { orderEvent } from './orders.events.js';
import { toOrder } from './orders.mapping.js';
import type { NewOrder, OrderLine, OrderRecord } from './orders.repository.js';
import * as repository from './orders.repository.js';
import type { Order, PlaceOrderBody } from './orders.schemas.js';
import { DECIDED_BY_RESERVATION, type OrderStatus, sourcesOf } from './orders.state-machine.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Writes a `pending` order and its `order.created` together; nothing when the id is already taken. */
async function createOrder(
  tx: Executor,
  order: Omit<NewOrder, 'totalCents' | 'createdAt'>,
): Promise<OrderRecord | undefined> {
  const totalCents = order.items.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  const created = await repository.insertOrder(tx, { ...order, totalCents, createdAt: new Date() });
  if (created) await recordEvents(tx, [orderEvent(created, OrderEvent.created)]);
  return created;
}

/** Prices the client's lines from the read model; the client never sends a price. */
async function priceLines(tx: Executor, items: PlaceOrderBody['items']): Promise<OrderLine[]> {
  const seen = new Set<number>();
  items.forEach((item, index) => {
    if (seen.has(item.product_id)) throw new DuplicateProductError(index, item.product_id);
    seen.add(item.product_id);
  });
  const known = await repository.findProducts(tx, [...seen]);
  const missing = items
    .map((item, index) => ({ index, productId: item.product_id }))
    .filter((line) => !known.get(line.productId) || known.get(line.productId)!.deleted);
  if (missing.length > 0) throw new UnknownProductsError(missing);
  return items.map((item) => {
    const product = known.get(item.product_id)!;
    return {
      productId: item.product_id,
      productName: product.name,
      unitPriceCents: product.priceCents,
      quantity: item.quantity,
    };
  });
}

/** `cart.checked_out`: the order the cart promised, at the prices the customer saw; idempotent on its id. */
export async function takeCheckout(tx: Executor, checkout: CartCheckedOut): Promise<void> {
  const known = await repository.findProducts(
    tx,
    checkout.items.map((item) => item.product_id),
  );
  const items = checkout.items.map((item) => {
    const product = known.get(item.product_id);
    // Not known yet: this module's copy of the catalog lags the cart's. Throwing lets the bus retry.
    if (!product)
      throw new Error(`product ${item.product_id} of order ${checkout.order_id} is not known yet`);
    return {
      productId: item.product_id,
      productName: product.name,
      unitPriceCents: centsOf(item.unit_price),
      quantity: item.quantity,
    };
  });
  await createOrder(tx, {
    id: checkout.order_id,
    userId: checkout.user_id,
    items,
    shippingAddress: checkout.shipping_address ?? null,
  });
}

/** `stock.reserved` / `stock.rejected`: the order's answer from the stock. */
export interface ReservationAnswer {
  orderId: string;
  outcome: 'confirmed' | 'rejected';
  reason?: string | undefined;
}

/**
 * Stock answers decide pending orders, a run of a batch's answers in three statements (the orders,
 * their lines, their events); for an order in any other status an answer is stale.
 */
export async function takeReservations(tx: Executor, answers: readonly ReservationAnswer[]): Promise<void> {
  const decisions = answers.map((answer) => ({
    id: answer.orderId,
    to: answer.outcome,
    reason: answer.outcome === 'rejected' ? (answer.reason ?? 'not enough stock') : null,
  }));
  const changed = await repository.transitionMany(tx, decisions, ['pending'], new Date());
  if (changed.length > 0)
    await recordEvents(
      tx,
      changed.map((order) => orderEvent(order, OrderEvent.updated)),
    );
}

/** Use cases of orders. Every status change is a conditional update, so two racing changes cannot both win. */
export class OrdersService {
  constructor(private readonly database: Database) {}

  place(
    principal: Principal,
    body: PlaceOrderBody,
    key: string | undefined,
  ): Promise<StoredAnswer<Order, 201>> {
    return this.database.transaction((tx) =>
      idempotent(tx, { scope: 'orders.create', userId: principal.id, key, body }, async () => {
        const items = await priceLines(tx, body.items);
        const shippingAddress = await addressesOfUsers.find(tx, principal.id, body.address_id);
        if (body.address_id !== undefined && !shippingAddress)
          throw new AddressNotFoundError(body.address_id);
        const order = await createOrder(tx, {
          id: randomUUID(),
          userId: principal.id,
          items,
          shippingAddress: shippingAddress ?? null,
        });
        return { status: 201 as const, body: toOrder(order!) };
      }),
    );
  }

  async list(
    principal: Principal,
    status: OrderStatus | undefined,
    window: PageWindow,
  ): Promise<{ count: number; results: Order[] }> {
    const filter = { userId: principal.isStaff ? undefined : principal.id, status };
    const [count, rows] = await Promise.all([
      repository.countOrders(this.database.db, filter),
      repository.listOrders(this.database.db, filter, window),
    ]);
    return { count, results: rows.map(toOrder) };
  }

  async get(principal: Principal, id: string): Promise<Order> {
    return toOrder(await this.visibleOrder(this.database.db, principal, id));
  }

  cancel(principal: Principal, id: string): Promise<Order> {
    return this.database.transaction(async (tx) => {
      await this.visibleOrder(tx, principal, id);
      return toOrder(await this.change(tx, id, 'cancelled'));
    });
  }

  /** Staff moves an order along the state machine; the reservation's own outcomes are not theirs to set. */
  setStatus(principal: Principal, id: string, status: OrderStatus): Promise<Order> {
    return this.database.transaction(async (tx) => {
      const order = await this.visibleOrder(tx, principal, id);
      if (DECIDED_BY_RESERVATION.includes(status)) {
        throw new InvalidTransitionError(order.status, status, 'it is decided by the stock reservation');
      }
      return toOrder(await this.change(tx, id, status));
    });
  }

  private async visibleOrder(tx: Executor, principal: Principal, id: string): Promise<OrderRecord> {
    const order = UUID.test(id) ? await repository.findOrder(tx, id) : undefined;
    if (!order || (!principal.isStaff && order.userId !== principal.id)) throw new OrderNotFoundError(id);
    return order;
  }

  private async change(tx: Executor, id: string, to: OrderStatus): Promise<OrderRecord> {
    const changed = await repository.transition(tx, id, { to, from: sourcesOf(to), at: new Date() });
    if (!changed) {
      const current = await repository.findOrder(tx, id);
      throw new InvalidTransitionError(current!.status, to);
    }
    await recordEvents(tx, [
      orderEvent(changed, to === 'cancelled' ? OrderEvent.cancelled : OrderEvent.updated),
    ]);
    return changed;
  }
}
