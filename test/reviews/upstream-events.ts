import { recordEvents } from '../../src/platform/events/outbox.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Stand-ins for the modules whose events the reviews module reads: each only publishes its
 * exchange, so events written with `recordEvents` are relayed to the reviews module's queues.
 */
function publisherOf(name: string, exchange: string): ModuleDefinition {
  return { name, publishes: { exchange, events: [] }, consumes: [], async register() {} };
}

export const upstreamModules: ModuleDefinition[] = [
  publisherOf('fake-products', 'product_events'),
  publisherOf('fake-users', 'user_events'),
  publisherOf('fake-orders', 'order_events'),
];

export async function emit(
  t: TestApp,
  exchange: string,
  routingKey: string,
  version: number,
  payload: object,
): Promise<void> {
  await recordEvents(t.database.db, [{ exchange, routingKey, version, payload }]);
  await t.settle();
}

export function productCreated(t: TestApp, productId: number, version = 1): Promise<void> {
  return emit(t, 'product_events', 'product.created', version, {
    product_id: productId,
    name: `Product ${productId}`,
    description: 'A thing pets like',
    price: '12.50',
    category_id: 1,
    animal_type: 'dog',
    stock: 10,
  });
}

export function productDeleted(t: TestApp, productId: number, version: number): Promise<void> {
  return emit(t, 'product_events', 'product.deleted', version, { product_id: productId });
}

export function userChanged(
  t: TestApp,
  user: { id: number; username: string; version: number; routingKey?: string },
): Promise<void> {
  return emit(
    t,
    'user_events',
    user.routingKey ?? (user.version === 1 ? 'user.created' : 'user.updated'),
    user.version,
    {
      user_id: user.id,
      username: user.username,
      email: `${user.username}@example.com`,
      is_active: true,
    },
  );
}

export interface OrderChange {
  orderId: string;
  userId: number;
  productIds: number[];
  status: string;
  version: number;
  routingKey?: 'order.created' | 'order.updated' | 'order.cancelled';
}

export function orderChanged(t: TestApp, order: OrderChange): Promise<void> {
  const routingKey =
    order.routingKey ??
    (order.status === 'cancelled'
      ? 'order.cancelled'
      : order.version === 1
        ? 'order.created'
        : 'order.updated');
  return emit(t, 'order_events', routingKey, order.version, {
    order_id: order.orderId,
    user_id: order.userId,
    items: order.productIds.map((productId) => ({ product_id: productId, quantity: 1, price: '12.50' })),
    status: order.status,
    total: (order.productIds.length * 12.5).toFixed(2),
  });
}

/** Posts a review as the user and returns the parsed answer. */
export async function postReview(t: TestApp, userId: number, body: Record<string, unknown>) {
  return t.app.inject({
    method: 'POST',
    url: '/api/reviews',
    headers: await t.bearer({ id: userId }),
    payload: body,
  });
}
