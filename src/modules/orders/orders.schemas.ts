import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ShippingAddress as CheckoutAddress } from '../cart/contract.js';
import { ORDER_STATUSES } from './orders.state-machine.js';

export const MAX_LINES = 50;
export const MAX_LINE_QUANTITY = 99;

const Money = Type.String({ pattern: '^\\d+\\.\\d{2}$', examples: ['12.50'] });
const Timestamp = Type.String({ format: 'date-time' });
export const Status = Type.Union(
  ORDER_STATUSES.map((status) => Type.Literal(status)),
  { description: ORDER_STATUSES.join(', ') },
);

export const PlaceOrderBody = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          // PostgreSQL `integer`: a larger id could never exist, and would fail in SQL (a 500).
          product_id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
          quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
        },
        { additionalProperties: false },
      ),
      {
        minItems: 1,
        maxItems: MAX_LINES,
        description: 'each product on one line; prices come from the server',
      },
    ),
    address_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2_147_483_647,
        description: 'an address of your address book; without it, your default address (or none)',
      }),
    ),
  },
  {
    $id: 'OrderInput',
    additionalProperties: false,
    examples: [
      {
        items: [
          { product_id: 17, quantity: 2 },
          { product_id: 42, quantity: 1 },
        ],
        address_id: 12,
      },
    ],
  },
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const ListQuery = Type.Composite([PageQuery, Type.Object({ status: Type.Optional(Status) })], {
  additionalProperties: false,
});
export type ListQuery = Static<typeof ListQuery>;

/** Any text: an id that is not a UUID cannot name an order, so it is a 404 like any other unknown id. */
export const OrderParams = Type.Object({ id: Type.String({ description: 'order id (UUID)' }) });
export type OrderParams = Static<typeof OrderParams>;

export const StatusBody = Type.Object(
  { status: Status },
  { $id: 'OrderStatusChange', additionalProperties: false, examples: [{ status: 'shipped' }] },
);
export type StatusBody = Static<typeof StatusBody>;

/** The copy the checkout made (the cart's contract), named for the OpenAPI document. */
const ShippingAddress = Type.Object(CheckoutAddress.properties, { $id: 'ShippingAddress' });

const ORDER_EXAMPLE = {
  id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90',
  user_id: 5,
  status: 'confirmed',
  reason: null,
  items: [
    {
      product_id: 17,
      product_name: 'Grain-free dog food 12 kg',
      unit_price: '54.90',
      quantity: 2,
      subtotal: '109.80',
    },
    { product_id: 42, product_name: 'Rope tug toy', unit_price: '7.50', quantity: 1, subtotal: '7.50' },
  ],
  total: '117.30',
  shipping_address: {
    address_id: 12,
    name: 'Ana Ruiz',
    line1: 'Calle Mayor 1',
    line2: '3º B',
    city: 'Madrid',
    postal_code: '28013',
    region: 'Madrid',
    country: 'ES',
    phone: '+34 600 123 456',
  },
  status_history: [
    { status: 'pending', at: '2026-03-09T17:05:00.000Z' },
    { status: 'confirmed', at: '2026-03-09T17:05:00.120Z' },
  ],
  created_at: '2026-03-09T17:05:00.000Z',
  updated_at: '2026-03-09T17:05:00.120Z',
};

export const Order = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    user_id: Type.Integer(),
    status: Status,
    reason: Type.Union([Type.String(), Type.Null()], { description: 'why it was rejected; null otherwise' }),
    items: Type.Array(
      Type.Object({
        product_id: Type.Integer(),
        product_name: Type.String(),
        unit_price: Money,
        quantity: Type.Integer(),
        subtotal: Money,
      }),
    ),
    total: Money,
    shipping_address: Type.Union([ShippingAddress, Type.Null()], {
      description: 'a copy of the address taken when the order was placed; null when it has none',
    }),
    status_history: Type.Array(Type.Object({ status: Status, at: Timestamp })),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'Order', examples: [ORDER_EXAMPLE] },
);
export type Order = Static<typeof Order>;

export const OrderPage = pageOf(Order, {
  $id: 'OrderPage',
  examples: [{ count: 1, next: null, previous: null, results: [ORDER_EXAMPLE] }],
});
