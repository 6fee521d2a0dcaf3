import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { addressBookTable } from '../../platform/db/address-book.js';
import type { ShippingAddress } from '../cart/contract.js';
import type { OrderStatus } from './orders.state-machine.js';

export const schema = pgSchema('orders');

export interface StatusChange {
  status: OrderStatus;
  at: string;
}

/** What an order keeps of the address it ships to: the checkout's copy, never changed by later edits. */
export type { ShippingAddress };

export const orders = schema.table(
  'orders',
  {
    id: uuid('id').primaryKey(),
    userId: integer('user_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    reason: text('reason'),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    statusHistory: jsonb('status_history').$type<StatusChange[]>().notNull(),
    /** A copy of the address the order ships to, taken when it was placed; null when none was given. */
    shippingAddress: jsonb('shipping_address').$type<ShippingAddress>(),
    /** Grows by one on every change; the `version` of the order's events. */
    version: integer('version').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('orders_user_created_idx').on(table.userId, table.createdAt),
    index('orders_created_idx').on(table.createdAt),
    // The unpaid orders' clock: a confirmed order's updated_at is when it was confirmed.
    index('orders_confirmed_idx').on(table.updatedAt).where(sql`status = 'confirmed'`),
    check(
      'orders_status_known',
      sql`${table.status} in ('pending', 'confirmed', 'rejected', 'paid', 'shipped', 'delivered', 'cancelled')`,
    ),
  ],
);

export const orderItems = schema.table(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    productId: integer('product_id').notNull(),
    productName: text('product_name').notNull(),
    unitPriceCents: bigint('unit_price_cents', { mode: 'number' }).notNull(),
    quantity: integer('quantity').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orderId, table.productId] })],
);

/** Read model of the catalog's products (name, price, deleted), fed by `product_events`. */
export const products = schema.table('products', {
  productId: integer('product_id').primaryKey(),
  name: text('name').notNull(),
  priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
});

/**
 * Read model of the users, fed by `user_events`: where and how to write to a customer (the order
 * mails go to the customer's current address).
 */
export const customers = schema.table('customers', {
  userId: integer('user_id').primaryKey(),
  username: text('username').notNull(),
  email: text('email').notNull(),
  locale: text('locale'),
  version: integer('version').notNull(),
});

/**
 * Order mails waiting for their customer: a change whose customer this module does not know yet
 * (its `user.created` not applied) is kept here and mailed when the customer arrives.
 */
export const unsentMails = schema.table(
  'unsent_mails',
  {
    orderId: uuid('order_id').notNull(),
    status: text('status').$type<OrderStatus>().notNull(),
    userId: integer('user_id').notNull(),
    total: text('total').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.status] }),
    index('unsent_mails_user_idx').on(table.userId),
  ],
);

/**
 * Read model of the users' address books, fed by `user.address_saved` / `user.address_deleted`,
 * for `POST /api/orders` with an `address_id`. Deletes stay as tombstones; `saved_at` (the event's
 * time) breaks a tie between two defaults met out of order.
 */
export const addresses = addressBookTable(schema);
