import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const PRODUCT_EVENTS = 'product_events';

export const ProductEvent = {
  created: 'product.created',
  updated: 'product.updated',
  deleted: 'product.deleted',
  stockReserved: 'stock.reserved',
  stockRejected: 'stock.rejected',
  stockReleased: 'stock.released',
} as const;

export const ProductRevisionPayload = Type.Object(
  {
    product_id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    price: Type.String({ description: 'two-decimal string, e.g. "12.50"' }),
    category_id: Type.Integer(),
    animal_type: Type.String(),
    stock: Type.Integer({ minimum: 0 }),
  },
  {
    examples: [
      {
        product_id: 17,
        name: 'Grain-free dog food 12 kg',
        description: 'Chicken and sweet potato, for adult dogs of every size.',
        price: '54.90',
        category_id: 3,
        animal_type: 'dog',
        stock: 40,
      },
    ],
  },
);
export type ProductRevisionPayload = Static<typeof ProductRevisionPayload>;

export const ProductDeletedPayload = Type.Object(
  { product_id: Type.Integer() },
  { examples: [{ product_id: 17 }] },
);
export type ProductDeletedPayload = Static<typeof ProductDeletedPayload>;

const StockLines = Type.Array(
  Type.Object({ product_id: Type.Integer(), quantity: Type.Integer({ minimum: 1 }) }),
);

export const StockPayload = Type.Object(
  { order_id: Type.String({ format: 'uuid' }), items: StockLines },
  {
    examples: [
      { order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90', items: [{ product_id: 17, quantity: 2 }] },
    ],
  },
);
export type StockPayload = Static<typeof StockPayload>;

export const StockRejectedPayload = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    items: StockLines,
    reason: Type.String(),
  },
  {
    examples: [
      {
        order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90',
        items: [{ product_id: 17, quantity: 2 }],
        reason: 'insufficient stock for product 17',
      },
    ],
  },
);
export type StockRejectedPayload = Static<typeof StockRejectedPayload>;

export const productsContract = {
  exchange: PRODUCT_EVENTS,
  events: [
    {
      routingKey: ProductEvent.created,
      payload: ProductRevisionPayload,
      description: 'A product was created; `version` is 1.',
    },
    {
      routingKey: ProductEvent.updated,
      payload: ProductRevisionPayload,
      description: 'Any change of a product, stock changes by reservations and adjustments included.',
    },
    {
      routingKey: ProductEvent.deleted,
      payload: ProductDeletedPayload,
      description: 'A product was deleted; `version` is its last revision + 1.',
    },
    {
      routingKey: ProductEvent.stockReserved,
      payload: StockPayload,
      description: 'Every line of the order was reserved; `version` is 1.',
    },
    {
      routingKey: ProductEvent.stockRejected,
      payload: StockRejectedPayload,
      description: 'Nothing of the order was reserved; `reason` says why; `version` is 1.',
    },
    {
      routingKey: ProductEvent.stockReleased,
      payload: StockPayload,
      description: 'A reserved order was cancelled and its stock given back; `version` is 2.',
    },
  ],
} as const satisfies ModuleContract;
