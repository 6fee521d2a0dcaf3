import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { EventEnvelope } from '../../platform/events/envelope.js';
import { VERSION_GUARDED } from '../../platform/events/inbox.js';
import type { ModuleContext } from '../../platform/module.js';
import { saveOrder, saveProduct, saveUser } from './reviews.repository.js';

/** Only the fields this module reads; the publishers' contracts say the rest. */
const Versioned = Type.Object({ version: Type.Integer({ minimum: 1 }) });
const ProductChanged = Type.Composite([Versioned, Type.Object({ product_id: Type.Integer() })]);
const UserChanged = Type.Composite([
  Versioned,
  Type.Object({ user_id: Type.Integer(), username: Type.String() }),
]);
const OrderChanged = Type.Composite([
  Versioned,
  Type.Object({
    order_id: Type.String({ minLength: 1 }),
    user_id: Type.Integer(),
    status: Type.String(),
    items: Type.Array(Type.Object({ product_id: Type.Integer() })),
  }),
]);

export const CONSUMES = [
  { exchange: 'product_events', patterns: ['product.*'] },
  { exchange: 'user_events', patterns: ['user.*'] },
  { exchange: 'order_events', patterns: ['order.*'] },
] as const;

/** A malformed event throws, so the bus retries it and then dead-letters it instead of guessing. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  const body: unknown = message;
  if (Value.Check(schema, body)) return body;
  const [first] = Value.Errors(schema, body);
  throw new Error(`malformed ${routingKey} event ${message.event_id}: ${first?.path} ${first?.message}`);
}

/** Statuses that never make a verified purchase and never follow one: nothing to keep. */
const NEVER_PURCHASED = new Set(['pending', 'rejected']);

/**
 * The read models: products (exists, deleted), users (username), orders (verified purchases).
 * Each is an upsert guarded by the entity's version, so a repeated event changes nothing and needs
 * no inbox row.
 */
export function registerSubscribers({ handle }: ModuleContext): void {
  handle(
    'product_events',
    async (message, executor, { routingKey }) => {
      const event = read(ProductChanged, message, routingKey);
      await saveProduct(executor, {
        productId: event.product_id,
        deleted: routingKey === 'product.deleted',
        version: event.version,
      });
    },
    VERSION_GUARDED,
  );

  handle(
    'user_events',
    async (message, executor, { routingKey }) => {
      const event = read(UserChanged, message, routingKey);
      await saveUser(executor, { userId: event.user_id, username: event.username, version: event.version });
    },
    VERSION_GUARDED,
  );

  handle(
    'order_events',
    async (message, executor, { routingKey }) => {
      const event = read(OrderChanged, message, routingKey);
      const status = routingKey === 'order.cancelled' ? 'cancelled' : event.status;
      // A pending order becomes confirmed or rejected before it can count; a rejected one never does.
      if (NEVER_PURCHASED.has(status)) return;
      await saveOrder(executor, {
        orderId: event.order_id,
        userId: event.user_id,
        status,
        version: event.version,
        productIds: event.items.map((item) => item.product_id),
      });
    },
    VERSION_GUARDED,
  );
}
