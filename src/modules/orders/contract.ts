import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/module.js';

export const ORDER_EXCHANGE = 'order_events';
export const ORDER_CREATED = 'order.created';
export const ORDER_UPDATED = 'order.updated';
export const ORDER_CANCELLED = 'order.cancelled';

const Money = Type.String({ pattern: '^\\d+\\.\\d{2}$' });

/** The payload of every `order.*` event; the envelope's `version` is the order's version. */
export const OrderEventPayload = Type.Object({
  order_id: Type.String({ format: 'uuid' }),
  user_id: Type.Integer(),
  items: Type.Array(Type.Object({ product_id: Type.Integer(), quantity: Type.Integer(), price: Money })),
  status: Type.String(),
  total: Money,
});
export type OrderEventPayload = Static<typeof OrderEventPayload>;

export const ordersContract = {
  exchange: ORDER_EXCHANGE,
  events: [
    {
      routingKey: ORDER_CREATED,
      payload: OrderEventPayload,
      description: 'An order was placed, in `pending`; products reserves its stock (all lines or none).',
    },
    {
      routingKey: ORDER_UPDATED,
      payload: OrderEventPayload,
      description: 'An order changed status (confirmed, rejected, paid, shipped, delivered).',
    },
    {
      routingKey: ORDER_CANCELLED,
      payload: OrderEventPayload,
      description: 'An order was cancelled; products gives back what it reserved.',
    },
  ],
} as const satisfies ModuleContract;
