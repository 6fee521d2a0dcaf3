import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { saveIfNewer, saveManyIfNewer } from '../../platform/db/read-model.js';
import { cartItems, carts, categories, checkouts, products } from './cart.tables.js';

export interface CartLine {
  productId: number;
  quantity: number;
  name: string;
  priceCents: number;
  stock: number;
  deleted: boolean;
  categoryName: string | null;
}

export interface KnownProduct {
  productId: number;
  name: string;
  priceCents: number;
  stock: number;
  deleted: boolean;
}

export interface ProductRevision {
  productId: number;
  name: string;
  priceCents: number;
  stock: number;
  categoryId: number | null;
  version: number;
}

export interface CategoryRevision {
  categoryId: number;
  name: string;
  version: number;
}

/** Makes sure the user's cart exists; its `updated_at` is left alone. */
export async function ensureCart(tx: Executor, userId: number): Promise<void> {
  await tx.insert(carts).values({ userId }).onConflictDoNothing();
}

/** Creates or touches the user's cart and holds its row lock until the transaction ends. */
export async function lockCart(tx: Executor, userId: number): Promise<void> {
  await tx
    .insert(carts)
    .values({ userId })
    .onConflictDoUpdate({ target: carts.userId, set: { updatedAt: sql`now()` } });
}

export async function cartUpdatedAt(tx: Executor, userId: number): Promise<Date | undefined> {
  const [row] = await tx
    .select({ updatedAt: carts.updatedAt })
    .from(carts)
    .where(eq(carts.userId, userId))
    .limit(1);
  return row?.updatedAt;
}

export async function findLines(tx: Executor, userId: number): Promise<CartLine[]> {
  const rows = await tx
    .select({
      productId: cartItems.productId,
      quantity: cartItems.quantity,
      name: products.name,
      priceCents: products.priceCents,
      stock: products.stock,
      deleted: products.deleted,
      categoryName: categories.name,
      categoryDeleted: categories.deleted,
    })
    .from(cartItems)
    .leftJoin(products, eq(products.productId, cartItems.productId))
    .leftJoin(categories, eq(categories.categoryId, products.categoryId))
    .where(eq(cartItems.userId, userId))
    .orderBy(asc(cartItems.addedAt), asc(cartItems.productId));
  return rows.map((row) => ({
    productId: row.productId,
    quantity: row.quantity,
    name: row.name ?? '',
    priceCents: row.priceCents ?? 0,
    stock: row.stock ?? 0,
    deleted: row.deleted ?? true,
    categoryName: row.categoryDeleted === false ? row.categoryName : null,
  }));
}

export async function findLineQuantity(
  tx: Executor,
  userId: number,
  productId: number,
): Promise<number | undefined> {
  const [row] = await tx
    .select({ quantity: cartItems.quantity })
    .from(cartItems)
    .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId)))
    .limit(1);
  return row?.quantity;
}

export async function countLines(tx: Executor, userId: number): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(cartItems).where(eq(cartItems.userId, userId));
  return Number(row?.n ?? 0);
}

export async function saveLine(tx: Executor, userId: number, productId: number, quantity: number) {
  await tx
    .insert(cartItems)
    .values({ userId, productId, quantity })
    .onConflictDoUpdate({ target: [cartItems.userId, cartItems.productId], set: { quantity } });
}

/** Returns whether there was such a line. */
export async function deleteLine(tx: Executor, userId: number, productId: number): Promise<boolean> {
  const deleted = await tx
    .delete(cartItems)
    .where(and(eq(cartItems.userId, userId), eq(cartItems.productId, productId)))
    .returning({ productId: cartItems.productId });
  return deleted.length > 0;
}

export async function deleteLines(tx: Executor, userId: number): Promise<void> {
  await tx.delete(cartItems).where(eq(cartItems.userId, userId));
}

export async function findProduct(tx: Executor, productId: number): Promise<KnownProduct | undefined> {
  const [row] = await tx
    .select({
      productId: products.productId,
      name: products.name,
      priceCents: products.priceCents,
      stock: products.stock,
      deleted: products.deleted,
    })
    .from(products)
    .where(eq(products.productId, productId))
    .limit(1);
  return row;
}

/** Applies a product revision unless one as new or newer (or its tombstone) is already held. */
export async function applyProduct(tx: Executor, product: ProductRevision): Promise<void> {
  await saveIfNewer(tx, products, products.productId, { ...product, deleted: false });
}

/** `applyProduct` for a batch's revisions, in one statement. */
export async function applyProducts(tx: Executor, revisions: readonly ProductRevision[]): Promise<void> {
  const rows = revisions.map((product) => ({ ...product, deleted: false }));
  await saveManyIfNewer(tx, products, products.productId, rows);
}

export async function tombstoneProduct(tx: Executor, productId: number, version: number): Promise<void> {
  const tombstone = { productId, name: '', priceCents: 0, stock: 0, deleted: true, version };
  await saveIfNewer(tx, products, products.productId, tombstone, { deleted: true, version });
}

export async function applyCategory(tx: Executor, category: CategoryRevision): Promise<void> {
  await saveIfNewer(tx, categories, categories.categoryId, { ...category, deleted: false });
}

export async function tombstoneCategory(tx: Executor, categoryId: number, version: number): Promise<void> {
  const tombstone = { categoryId, name: '', deleted: true, version };
  await saveIfNewer(tx, categories, categories.categoryId, tombstone, { deleted: true, version });
}

export interface Checkout {
  orderId: string;
  userId: number;
  orderCreated: boolean;
}

export async function recordCheckout(tx: Executor, orderId: string, userId: number): Promise<void> {
  await tx.insert(checkouts).values({ orderId, userId });
}

export async function findCheckout(tx: Executor, orderId: string): Promise<Checkout | undefined> {
  const [row] = await tx
    .select({ orderId: checkouts.orderId, userId: checkouts.userId, createdAt: checkouts.orderCreatedAt })
    .from(checkouts)
    .where(eq(checkouts.orderId, orderId));
  return row && { orderId: row.orderId, userId: row.userId, orderCreated: row.createdAt !== null };
}

/** The order of a checkout exists; a repeat, or an order that came from no checkout, changes nothing. */
export async function markOrderCreated(tx: Executor, orderId: string): Promise<void> {
  await tx
    .update(checkouts)
    .set({ orderCreatedAt: sql`now()` })
    .where(and(eq(checkouts.orderId, orderId), sql`${checkouts.orderCreatedAt} is null`));
}
