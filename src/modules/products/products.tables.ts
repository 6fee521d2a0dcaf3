import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import type { AnimalType } from './animal-type.js';

export const schema = pgSchema('products');

const live = sql`deleted_at is null`;

/**
 * The catalog. Deleted products stay as tombstones (`deleted_at`) so ids are never reused and late
 * events cannot revive them; every listing index is partial on the live rows.
 */
export const products = schema.table(
  'products',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
    categoryId: integer('category_id').notNull(),
    animalType: text('animal_type').$type<AnimalType>().notNull(),
    stock: integer('stock').notNull().default(0),
    specifications: jsonb('specifications').$type<Record<string, unknown>>().notNull().default({}),
    ratingAvg: numeric('rating_avg', { precision: 2, scale: 1, mode: 'number' }),
    ratingCount: integer('rating_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (table) => [
    check('products_stock_not_negative', sql`${table.stock} >= 0`),
    check('products_price_range', sql`${table.priceCents} between 0 and 9999999999`),
    check(
      'products_animal_type_known',
      sql`${table.animalType} in ('dog', 'cat', 'bird', 'fish', 'small_pet', 'other')`,
    ),
    // Category first serves the category filter and its count; price next serves a category's
    // listing by price, where prices and categories are correlated (EXPLAIN in docs/modules/catalog.md).
    index('products_category_price_idx').on(table.categoryId, table.priceCents, table.id).where(live),
    index('products_animal_type_idx').on(table.animalType).where(live),
    index('products_price_idx').on(table.priceCents, table.id).where(live),
    index('products_created_idx').on(table.createdAt, table.id).where(live),
    index('products_name_idx').on(table.name, table.id).where(live),
    index('products_rating_idx').on(table.ratingAvg.asc().nullsLast(), table.id).where(live),
    index('products_rating_desc_idx')
      .on(table.ratingAvg.desc().nullsLast(), table.id.desc().nullsFirst())
      .where(live),
  ],
);

/**
 * Live products per category and animal type, kept by triggers on `products` (in the changing
 * transaction, see drizzle/products/0003): an exact count of a listing filtered by nothing else
 * is a sum over a few dozen rows instead of a scan of the catalog.
 */
export const productCounts = schema.table(
  'product_counts',
  {
    categoryId: integer('category_id').notNull(),
    animalType: text('animal_type').$type<AnimalType>().notNull(),
    live: integer('live').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.categoryId, table.animalType] })],
);

/** Read model of the taxonomy, fed by `category_events`: names for `category_name`, parents for the filter. */
export const categoryRefs = schema.table(
  'category_refs',
  {
    id: integer('id').primaryKey(),
    name: text('name').notNull(),
    parentId: integer('parent_id'),
    deleted: boolean('deleted').notNull().default(false),
    version: integer('version').notNull(),
  },
  (table) => [index('category_refs_parent_idx').on(table.parentId)],
);

/** Read model of reviews, fed by `review_events`: what `rating_avg` and `rating_count` are computed from. */
export const reviewRefs = schema.table(
  'review_refs',
  {
    reviewId: integer('review_id').primaryKey(),
    productId: integer('product_id').notNull(),
    rating: smallint('rating').notNull(),
    deleted: boolean('deleted').notNull(),
    version: integer('version').notNull(),
  },
  (table) => [index('review_refs_product_idx').on(table.productId).where(sql`not deleted`)],
);

export type ReservationStatus = 'pending' | 'reserved' | 'rejected' | 'released' | 'cancelled';
export interface ReservedLine {
  product_id: number;
  quantity: number;
}

/** One row per order: what `order.created` took, so that retries and cancellations act exactly once. */
export const reservations = schema.table(
  'reservations',
  {
    orderId: uuid('order_id').primaryKey(),
    status: text('status').$type<ReservationStatus>().notNull(),
    items: jsonb('items').$type<ReservedLine[]>().notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'reservations_status_known',
      sql`${table.status} in ('pending', 'reserved', 'rejected', 'released', 'cancelled')`,
    ),
  ],
);
