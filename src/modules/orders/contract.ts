import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const ORDER_EVENTS = 'order_events';

export const OrderEvent = {
  created: 'order.created',
  updated: 'order.updated',
  cancelled: 'order.cancelled',
} as const;

const Money = Type.String({ pattern: '^\\d+\\.\\d{2}$' });

/** The payload of every `order.*` event; the envelope's `version` is the order's version. */
export const OrderEventPayload = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    user_id: Type.Integer(),
    items: Type.Array(
      Type.Object({
        product_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
        quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        price: Money,
      }),
    ),
    status: Type.String(),
    total: Money,
  },
  {
    examples: [
      {
        order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90',
        user_id: 5,
        items: [
          { product_id: 17, quantity: 2, price: '54.90' },
          { product_id: 42, quantity: 1, price: '7.50' },
        ],
        status: 'pending',
        total: '117.30',
      },
    ],
  },
);
export type OrderEventPayload = Static<typeof OrderEventPayload>;

export const ordersContract = {
  exchange: ORDER_EVENTS,
  events: [
    {
      routingKey: OrderEvent.created,
      payload: OrderEventPayload,
      description: 'An order was placed, in `pending`; products reserves its stock (all lines or none).',
    },
    {
      routingKey: OrderEvent.updated,
      payload: OrderEventPayload,
      description: 'An order changed status (confirmed, rejected, paid, shipped, delivered).',
    },
    {
      routingKey: OrderEvent.cancelled,
      payload: OrderEventPayload,
      description: 'An order was cancelled; products gives back what it reserved.',
    },
  ],
} as const satisfies ModuleContract;
