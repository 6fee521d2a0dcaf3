import { type Static, Type } from '@sinclair/typebox';

export const MAX_LINE_QUANTITY = 99;
export const MAX_LINES = 50;

const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });
/** Product ids are PostgreSQL `integer`s: a larger one could never exist, and would fail in SQL (a 500). */
const ProductId = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Money = Type.String({ pattern: '^\\d+\\.\\d{2}$', examples: ['12.50'] });

export const AddItemBody = Type.Object(
  { product_id: ProductId, quantity: Quantity },
  { $id: 'CartItemInput', additionalProperties: false, examples: [{ product_id: 17, quantity: 2 }] },
);
export type AddItemBody = Static<typeof AddItemBody>;

export const ChangeQuantityBody = Type.Object(
  { quantity: Quantity },
  { $id: 'CartQuantity', additionalProperties: false, examples: [{ quantity: 3 }] },
);
export type ChangeQuantityBody = Static<typeof ChangeQuantityBody>;

export const ProductParams = Type.Object({ product_id: ProductId });
export type ProductParams = Static<typeof ProductParams>;

export const CartItem = Type.Object(
  {
    product_id: Type.Integer(),
    name: Type.String(),
    category_name: Type.Union([Type.String(), Type.Null()]),
    unit_price: Money,
    quantity: Type.Integer(),
    subtotal: Money,
    available: Type.Boolean({
      description: 'false when the product was deleted or the quantity exceeds stock',
    }),
  },
  { $id: 'CartItem' },
);

export const Cart = Type.Object(
  {
    items: Type.Array(CartItem),
    total: Money,
    item_count: Type.Integer({ description: 'the sum of the quantities' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Cart',
    examples: [
      {
        items: [
          {
            product_id: 17,
            name: 'Grain-free dog food 12 kg',
            category_name: 'Dog food',
            unit_price: '54.90',
            quantity: 2,
            subtotal: '109.80',
            available: true,
          },
          {
            product_id: 42,
            name: 'Rope tug toy',
            category_name: 'Dog toys',
            unit_price: '7.50',
            quantity: 1,
            subtotal: '7.50',
            available: true,
          },
        ],
        total: '117.30',
        item_count: 3,
        updated_at: '2026-03-09T17:02:44.000Z',
      },
    ],
  },
);
export type Cart = Static<typeof Cart>;

export const CheckoutInput = Type.Object(
  {
    address_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'an address of your address book' }),
    ),
  },
  { $id: 'CheckoutInput', additionalProperties: false, examples: [{ address_id: 12 }, {}] },
);
export type CheckoutInput = Static<typeof CheckoutInput>;

/**
 * Optional: no body (Fastify validates it as null) or no `address_id` ships to the default address,
 * or to none when the address book is empty.
 */
export const CheckoutBody = Type.Union([CheckoutInput, Type.Null()], {
  description: 'optional; `{"address_id": 12}` or nothing',
  examples: [{ address_id: 12 }],
});
export type CheckoutBody = Static<typeof CheckoutBody>;

export const CheckoutAnswer = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    status: Type.Literal('pending'),
  },
  {
    $id: 'CheckoutAccepted',
    examples: [{ order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90', status: 'pending' }],
  },
);
export type CheckoutAnswer = Static<typeof CheckoutAnswer>;

export const CheckoutParams = Type.Object({ order_id: Type.String({ format: 'uuid' }) });
export type CheckoutParams = Static<typeof CheckoutParams>;

export const CheckoutStatus = Type.Object(
  {
    order_id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('created')], {
      description: '`pending` until the orders module has made the order, then `created`',
    }),
    order: Type.Union([Type.String(), Type.Null()], {
      description: 'where the order is (`/api/orders/{order_id}`) once it exists, else null',
    }),
  },
  {
    $id: 'CheckoutStatus',
    examples: [{ order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90', status: 'pending', order: null }],
  },
);
export type CheckoutStatus = Static<typeof CheckoutStatus>;
