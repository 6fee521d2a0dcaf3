import { and, asc, count, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { saveIfNewer, saveManyIfNewer } from '../../platform/db/read-model.js';
import type { ReviewOrdering } from './reviews.schemas.js';
import { orderLines, orders, products, reviews, users } from './reviews.tables.js';

/** Order statuses at or past `confirmed` that were not cancelled or rejected. */
export const PURCHASED_STATUSES = ['confirmed', 'paid', 'shipped', 'delivered'] as const;

export interface ReviewRecord {
  id: number;
  productId: number;
  userId: number;
  rating: number;
  version: number;
}

export interface ReviewView {
  id: number;
  productId: number;
  userId: number;
  username: string;
  rating: number;
  title: string;
  comment: string;
  verifiedPurchase: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReviewFilter {
  productId?: number | undefined;
  userId?: number | undefined;
}

export interface ReviewContent {
  rating?: number | undefined;
  title?: string | undefined;
  comment?: string | undefined;
}

const purchased = sql.join(
  PURCHASED_STATUSES.map((status) => sql`${status}`),
  sql`, `,
);

/** Computed on every read, so it follows orders confirmed or cancelled after the review was written. */
const verifiedPurchase = sql<boolean>`exists (
  select 1 from ${orderLines} inner join ${orders} on ${orders.orderId} = ${orderLines.orderId}
  where ${orders.userId} = ${reviews.userId} and ${orderLines.productId} = ${reviews.productId}
    and ${orders.status} in (${purchased}))`;

const view = {
  id: reviews.id,
  productId: reviews.productId,
  userId: reviews.userId,
  username: sql<string>`coalesce(${users.username}, 'user' || ${reviews.userId})`,
  rating: reviews.rating,
  title: reviews.title,
  comment: reviews.comment,
  verifiedPurchase,
  createdAt: reviews.createdAt,
  updatedAt: reviews.updatedAt,
};

const record = {
  id: reviews.id,
  productId: reviews.productId,
  userId: reviews.userId,
  rating: reviews.rating,
  version: reviews.version,
};

const ORDER_BY: Record<ReviewOrdering, SQL[]> = {
  '-created_at': [desc(reviews.createdAt), desc(reviews.id)],
  created_at: [asc(reviews.createdAt), asc(reviews.id)],
  rating: [asc(reviews.rating), desc(reviews.id)],
  '-rating': [desc(reviews.rating), desc(reviews.id)],
};

/** Reviews of products that exist and are not deleted: the only ones anybody sees. */
function visible(filter: ReviewFilter & { id?: number }): SQL | undefined {
  return and(
    eq(products.deleted, false),
    filter.id === undefined ? undefined : eq(reviews.id, filter.id),
    filter.productId === undefined ? undefined : eq(reviews.productId, filter.productId),
    filter.userId === undefined ? undefined : eq(reviews.userId, filter.userId),
  );
}

function selectViews(executor: Executor) {
  return executor
    .select(view)
    .from(reviews)
    .innerJoin(products, eq(products.productId, reviews.productId))
    .leftJoin(users, eq(users.userId, reviews.userId));
}

export async function findVisibleReview(executor: Executor, id: number): Promise<ReviewView | undefined> {
  const [row] = await selectViews(executor).where(visible({ id })).limit(1);
  return row;
}

export async function listVisibleReviews(
  executor: Executor,
  filter: ReviewFilter,
  ordering: ReviewOrdering,
  window: { limit: number; offset: number },
): Promise<ReviewView[]> {
  return selectViews(executor)
    .where(visible(filter))
    .orderBy(...ORDER_BY[ordering])
    .limit(window.limit)
    .offset(window.offset);
}

export async function countVisibleReviews(executor: Executor, filter: ReviewFilter): Promise<number> {
  const [row] = await executor
    .select({ n: count() })
    .from(reviews)
    .innerJoin(products, eq(products.productId, reviews.productId))
    .where(visible(filter));
  return row?.n ?? 0;
}

/** How many reviews of the product gave each rating. */
export async function ratingCounts(
  executor: Executor,
  productId: number,
): Promise<{ rating: number; n: number }[]> {
  return executor
    .select({ rating: reviews.rating, n: count() })
    .from(reviews)
    .where(eq(reviews.productId, productId))
    .groupBy(reviews.rating);
}

/** Inserts the review unless the user already reviewed the product; undefined then. */
export async function insertReview(
  executor: Executor,
  values: { productId: number; userId: number; rating: number; title: string; comment: string },
): Promise<ReviewRecord | undefined> {
  const [row] = await executor
    .insert(reviews)
    .values(values)
    .onConflictDoNothing({ target: [reviews.productId, reviews.userId] })
    .returning(record);
  return row;
}

/** Reads the review and locks it until the transaction ends. */
export async function lockReview(executor: Executor, id: number): Promise<ReviewRecord | undefined> {
  const [row] = await executor.select(record).from(reviews).where(eq(reviews.id, id)).for('update');
  return row;
}

export async function updateReview(
  executor: Executor,
  id: number,
  content: ReviewContent,
): Promise<ReviewRecord> {
  const changes = Object.fromEntries(Object.entries(content).filter(([, value]) => value !== undefined));
  const [row] = await executor
    .update(reviews)
    .set({ ...changes, version: sql`${reviews.version} + 1`, updatedAt: sql`now()` })
    .where(eq(reviews.id, id))
    .returning(record);
  return row!;
}

export async function deleteReview(executor: Executor, id: number): Promise<void> {
  await executor.delete(reviews).where(eq(reviews.id, id));
}

export async function isProductAvailable(executor: Executor, productId: number): Promise<boolean> {
  const [row] = await executor
    .select({ deleted: products.deleted })
    .from(products)
    .where(eq(products.productId, productId))
    .limit(1);
  return row !== undefined && !row.deleted;
}

/** Applies a product event unless the read model already holds that revision or a newer one. */
export async function saveProduct(
  executor: Executor,
  product: { productId: number; deleted: boolean; version: number },
): Promise<void> {
  await saveIfNewer(executor, products, products.productId, product);
}

/** `saveProduct` for a batch's revisions, in one statement. */
export async function saveProducts(
  executor: Executor,
  revisions: readonly { productId: number; deleted: boolean; version: number }[],
): Promise<void> {
  await saveManyIfNewer(executor, products, products.productId, revisions);
}

export async function saveUser(
  executor: Executor,
  user: { userId: number; username: string; version: number },
): Promise<void> {
  await saveIfNewer(executor, users, users.userId, user);
}

/**
 * Applies an order event unless it is not newer than the stored revision, in one statement. An
 * order's lines never change after it is placed, so they are written with the first revision kept.
 */
export async function saveOrder(
  executor: Executor,
  order: { orderId: string; userId: number; status: string; version: number; productIds: number[] },
): Promise<void> {
  const productIds = [...new Set(order.productIds)];
  await executor.execute(sql`
    with saved as (
      insert into ${orders} (order_id, user_id, status, version)
      values (${order.orderId}, ${order.userId}, ${order.status}, ${order.version})
      on conflict (order_id) do update
        set user_id = excluded.user_id, status = excluded.status, version = excluded.version
        where ${orders.version} < excluded.version
      returning (xmax = 0) as inserted)
    insert into ${orderLines} (order_id, product_id)
    select ${order.orderId}, product_id from unnest(${sql.param(productIds)}::int[]) as product_id
    where exists (select 1 from saved where inserted)
    on conflict do nothing`);
}
