import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { addressBookTable } from '../../platform/db/address-book.js';

export const schema = pgSchema('cart');

/** One row per user who has a cart; locked while the cart changes so that its rules hold under races. */
export const carts = schema.table('carts', {
  userId: integer('user_id').primaryKey(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const cartItems = schema.table(
  'items',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => carts.userId, { onDelete: 'cascade' }),
    productId: integer('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.productId] }),
    check('items_quantity_range', sql`${table.quantity} between 1 and 99`),
  ],
);

/** Read model of the catalog's products, fed by `product_events`; deletes stay as tombstones. */
export const products = schema.table('products', {
  productId: integer('product_id').primaryKey(),
  name: text('name').notNull(),
  priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
  stock: integer('stock').notNull(),
  categoryId: integer('category_id'),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
});

/** Read model of the catalog's categories (for `category_name`), fed by `category_events`. */
export const categories = schema.table('categories', {
  categoryId: integer('category_id').primaryKey(),
  name: text('name').notNull(),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
});

/**
 * Each accepted checkout, so that its `Location` answers until the order exists and after:
 * `order_created_at` is set when the orders module's `order.created` arrives.
 */
export const checkouts = schema.table('checkouts', {
  orderId: uuid('order_id').primaryKey(),
  userId: integer('user_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  orderCreatedAt: timestamp('order_created_at', { withTimezone: true }),
});

/**
 * Read model of the users' address books, fed by `user.address_saved` / `user.address_deleted`:
 * which addresses a user may check out with, and what the order keeps of one. Deletes stay as
 * tombstones; `saved_at` (the event's time) breaks a tie between two defaults met out of order.
 */
export const addresses = addressBookTable(schema);
