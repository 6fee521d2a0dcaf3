import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const CART_EVENTS = 'cart_events';

export const CartEvent = {
  checkedOut: 'cart.checked_out',
} as const;

const Nullable = Type.Union([Type.String(), Type.Null()]);

/** A copy of an address of the customer's book, as it was at checkout: the order keeps it unchanged. */
export const ShippingAddress = Type.Object({
  address_id: Type.Integer({ description: 'the address book entry it was copied from' }),
  name: Type.String(),
  line1: Type.String(),
  line2: Nullable,
  city: Type.String(),
  postal_code: Type.String(),
  region: Nullable,
  country: Type.String({ description: 'ISO 3166-1 alpha-2' }),
  phone: Nullable,
});
export type ShippingAddress = Static<typeof ShippingAddress>;

export const CartCheckedOutPayload = Type.Object(
  {
    order_id: Type.String({ format: 'uuid', description: 'made by the cart; the order takes it as its id' }),
    user_id: Type.Integer(),
    items: Type.Array(
      Type.Object({
        product_id: Type.Integer(),
        quantity: Type.Integer({ minimum: 1, maximum: 99 }),
        unit_price: Type.String({ description: 'two-decimal price the cart showed at checkout' }),
      }),
      { minItems: 1, maxItems: 50 },
    ),
    shipping_address: Type.Optional(
      Type.Union([ShippingAddress, Type.Null()], {
        description:
          'where the order ships: null when the customer had no address; absent in events before addresses',
      }),
    ),
  },
  {
    examples: [
      {
        order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90',
        user_id: 5,
        items: [
          { product_id: 17, quantity: 2, unit_price: '54.90' },
          { product_id: 42, quantity: 1, unit_price: '7.50' },
        ],
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
      },
    ],
  },
);
export type CartCheckedOut = Static<typeof CartCheckedOutPayload>;

export const cartContract = {
  exchange: CART_EVENTS,
  events: [
    {
      routingKey: CartEvent.checkedOut,
      payload: CartCheckedOutPayload,
      description: 'A cart was checked out and emptied; the orders module creates the order. Version 1.',
    },
  ],
} as const satisfies ModuleContract;
