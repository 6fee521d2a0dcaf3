import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgSchema,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const schema = pgSchema('reviews');

/** The reviews this module owns; one per user and product. */
export const reviews = schema.table(
  'reviews',
  {
    id: serial('id').primaryKey(),
    productId: integer('product_id').notNull(),
    userId: integer('user_id').notNull(),
    rating: integer('rating').notNull(),
    title: text('title').notNull().default(''),
    comment: text('comment').notNull(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('reviews_product_user_key').on(table.productId, table.userId),
    index('reviews_user_idx').on(table.userId),
    index('reviews_created_idx').on(table.createdAt, table.id),
    check('reviews_rating_range', sql`rating between 1 and 5`),
  ],
);

/** Read model from `product_events`: which products exist; deletes stay as tombstones. */
export const products = schema.table('products', {
  productId: integer('product_id').primaryKey(),
  deleted: boolean('deleted').notNull().default(false),
  version: integer('version').notNull(),
});

/** Read model from `user_events`: the name shown next to a review. */
export const users = schema.table('users', {
  userId: integer('user_id').primaryKey(),
  username: text('username').notNull(),
  version: integer('version').notNull(),
});

/** Read model from `order_events`: each order's owner and current status. */
export const orders = schema.table(
  'orders',
  {
    orderId: text('order_id').primaryKey(),
    userId: integer('user_id').notNull(),
    status: text('status').notNull(),
    version: integer('version').notNull(),
  },
  (table) => [index('orders_user_idx').on(table.userId)],
);

/** The products each order holds, for `verified_purchase`. */
export const orderLines = schema.table(
  'order_lines',
  {
    orderId: text('order_id')
      .notNull()
      .references(() => orders.orderId, { onDelete: 'cascade' }),
    productId: integer('product_id').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.productId] }),
    index('order_lines_product_idx').on(table.productId),
  ],
);
