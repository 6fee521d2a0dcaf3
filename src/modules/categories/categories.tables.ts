import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  pgSchema,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const schema = pgSchema('categories');

/** The taxonomy. `product_count` is a counter kept from product events, never read from products. */
export const categories = schema.table(
  'categories',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique('categories_slug_key'),
    description: text('description').notNull().default(''),
    parentId: integer('parent_id').references((): AnyPgColumn => categories.id),
    productCount: integer('product_count').notNull().default(0),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('categories_name_lower_key').on(sql`lower(${table.name})`),
    index('categories_parent_idx').on(table.parentId),
    index('categories_name_idx').on(table.name, table.id),
  ],
);

/** Read model of the catalog's products, fed by `product_events`: which category each one counts in. */
export const productRefs = schema.table('product_refs', {
  productId: integer('product_id').primaryKey(),
  categoryId: integer('category_id'),
  deleted: boolean('deleted').notNull(),
  version: integer('version').notNull(),
});
