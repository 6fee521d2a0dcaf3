import { and, asc, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { saveIfNewer, saveManyIfNewer } from '../../platform/db/read-model.js';
import type { OrderStatus } from './orders.state-machine.js';
import {
  customers,
  orderItems,
  orders,
  products,
  type ShippingAddress,
  type StatusChange,
  unsentMails,
} from './orders.tables.js';

export interface OrderLine {
  productId: number;
  productName: string;
  unitPriceCents: number;
  quantity: number;
}

export interface OrderRecord {
  id: string;
  userId: number;
  status: OrderStatus;
  reason: string | null;
  totalCents: number;
  statusHistory: StatusChange[];
  shippingAddress: ShippingAddress | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  items: OrderLine[];
}

export type NewOrder = Omit<OrderRecord, 'status' | 'reason' | 'statusHistory' | 'version' | 'updatedAt'>;

export interface KnownProduct {
  productId: number;
  name: string;
  priceCents: number;
  deleted: boolean;
}

export interface ProductRevision {
  productId: number;
  name: string;
  priceCents: number;
  version: number;
}

export interface OrderFilter {
  userId?: number | undefined;
  status?: OrderStatus | undefined;
}

type OrderRow = typeof orders.$inferSelect;

async function withItems(tx: Executor, rows: OrderRow[]): Promise<OrderRecord[]> {
  if (rows.length === 0) return [];
  const lines = await tx
    .select()
    .from(orderItems)
    .where(
      inArray(
        orderItems.orderId,
        rows.map((row) => row.id),
      ),
    )
    .orderBy(asc(orderItems.position));
  return rows.map((row) => ({
    ...row,
    items: lines
      .filter((line) => line.orderId === row.id)
      .map(({ productId, productName, unitPriceCents, quantity }) => ({
        productId,
        productName,
        unitPriceCents,
        quantity,
      })),
  }));
}

export async function findProducts(tx: Executor, productIds: number[]): Promise<Map<number, KnownProduct>> {
  const rows = await tx.select().from(products).where(inArray(products.productId, productIds));
  return new Map(
    rows.map(({ productId, name, priceCents, deleted }) => [
      productId,
      { productId, name, priceCents, deleted },
    ]),
  );
}

/** Writes a new `pending` order; answers undefined when an order with that id already exists. */
export async function insertOrder(tx: Executor, order: NewOrder): Promise<OrderRecord | undefined> {
  const statusHistory: StatusChange[] = [{ status: 'pending', at: order.createdAt.toISOString() }];
  const [row] = await tx
    .insert(orders)
    .values({
      id: order.id,
      userId: order.userId,
      status: 'pending',
      totalCents: order.totalCents,
      statusHistory,
      shippingAddress: order.shippingAddress,
      version: 1,
      createdAt: order.createdAt,
      updatedAt: order.createdAt,
    })
    .onConflictDoNothing({ target: orders.id })
    .returning();
  if (!row) return undefined;
  await tx
    .insert(orderItems)
    .values(order.items.map((item, position) => ({ ...item, orderId: order.id, position })));
  return { ...row, items: order.items };
}

export async function findOrder(tx: Executor, id: string): Promise<OrderRecord | undefined> {
  const rows = await tx.select().from(orders).where(eq(orders.id, id)).limit(1);
  return (await withItems(tx, rows))[0];
}

function filterOf(filter: OrderFilter): SQL | undefined {
  return and(
    filter.userId === undefined ? undefined : eq(orders.userId, filter.userId),
    filter.status === undefined ? undefined : eq(orders.status, filter.status),
  );
}

export async function countOrders(tx: Executor, filter: OrderFilter): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(orders).where(filterOf(filter));
  return Number(row?.n ?? 0);
}

/** Newest first. */
export async function listOrders(
  tx: Executor,
  filter: OrderFilter,
  window: { limit: number; offset: number },
): Promise<OrderRecord[]> {
  const rows = await tx
    .select()
    .from(orders)
    .where(filterOf(filter))
    .orderBy(desc(orders.createdAt), desc(orders.id))
    .limit(window.limit)
    .offset(window.offset);
  return withItems(tx, rows);
}

export interface Transition {
  to: OrderStatus;
  /** The change happens only while the order is in one of these; a concurrent change makes it miss. */
  from: readonly OrderStatus[];
  at: Date;
  reason?: string;
}

/** A conditional update: answers the changed order, or undefined when it was not in an allowed status. */
export async function transition(
  tx: Executor,
  id: string,
  change: Transition,
): Promise<OrderRecord | undefined> {
  const decision = { id, to: change.to, reason: change.reason ?? null };
  return (await transitionMany(tx, [decision], change.from, change.at))[0];
}

/** A pending order's answer: the status it moves to, and the reason of a refusal. */
export interface Decision {
  id: string;
  to: OrderStatus;
  reason: string | null;
}

/**
 * Conditional updates of many orders in one statement, each to its own status (`transition` is
 * its one-order form): answers the orders that changed, in the decisions' order (an order decided
 * twice in the list moves once, by the first).
 */
export async function transitionMany(
  tx: Executor,
  decisions: readonly Decision[],
  from: readonly OrderStatus[],
  at: Date,
): Promise<OrderRecord[]> {
  const due: Decision[] = [];
  const seen = new Set<string>();
  for (const decision of decisions) {
    if (seen.has(decision.id)) continue;
    seen.add(decision.id);
    due.push(decision);
  }
  if (due.length === 0) return [];
  const ids = due.map((decision) => decision.id);
  const statuses = due.map((decision) => decision.to);
  const reasons = due.map((decision) => decision.reason);
  const rows = await tx
    .update(orders)
    .set({
      status: sql`decision.status`,
      reason: sql`decision.reason`,
      version: sql`${orders.version} + 1`,
      statusHistory: sql`${orders.statusHistory} || jsonb_build_array(jsonb_build_object('status', decision.status, 'at', ${at.toISOString()}::text))`,
      updatedAt: at,
    })
    .from(
      sql`unnest(${sql.param(ids)}::uuid[], ${sql.param(statuses)}::text[], ${sql.param(reasons)}::text[]) as decision(id, status, reason)`,
    )
    .where(and(sql`${orders.id} = decision.id`, inArray(orders.status, [...from])))
    .returning();
  const position = new Map(ids.map((id, index) => [id, index]));
  return (await withItems(tx, rows)).sort((a, b) => position.get(a.id)! - position.get(b.id)!);
}

export async function applyProduct(tx: Executor, product: ProductRevision): Promise<void> {
  await saveIfNewer(tx, products, products.productId, { ...product, deleted: false });
}

/** `applyProduct` for a batch's revisions, in one statement. */
export async function applyProducts(tx: Executor, revisions: readonly ProductRevision[]): Promise<void> {
  const rows = revisions.map((product) => ({ ...product, deleted: false }));
  await saveManyIfNewer(tx, products, products.productId, rows);
}

export async function tombstoneProduct(tx: Executor, productId: number, version: number): Promise<void> {
  const tombstone = { productId, name: '', priceCents: 0, deleted: true, version };
  await saveIfNewer(tx, products, products.productId, tombstone, { deleted: true, version });
}

/**
 * Confirmed orders confirmed before `confirmedBefore` (a confirmed order changes only by leaving
 * `confirmed`, so its `updated_at` is its confirmation), oldest first, locked for this transaction:
 * another replica's sweep skips them rather than wait.
 */
export async function lockUnpaid(tx: Executor, confirmedBefore: Date, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.status, 'confirmed'), sql`${orders.updatedAt} < ${confirmedBefore.toISOString()}`))
    .orderBy(asc(orders.updatedAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  return rows.map((row) => row.id);
}

export interface Customer {
  userId: number;
  username: string;
  email: string;
  locale: string | null;
}

/** Saves the customer's revision; true when orders did not know this customer before. */
export function applyCustomer(tx: Executor, customer: Customer & { version: number }): Promise<boolean> {
  return saveIfNewer(tx, customers, customers.userId, customer);
}

export async function findCustomer(tx: Executor, userId: number): Promise<Customer | undefined> {
  const [row] = await tx
    .select({
      userId: customers.userId,
      username: customers.username,
      email: customers.email,
      locale: customers.locale,
    })
    .from(customers)
    .where(eq(customers.userId, userId));
  return row;
}

/** An order's change whose mail waits for its customer. */
export interface UnsentMail {
  orderId: string;
  status: OrderStatus;
  userId: number;
  total: string;
}

export async function keepUnsentMail(tx: Executor, mail: UnsentMail): Promise<void> {
  await tx.insert(unsentMails).values(mail).onConflictDoNothing();
}

/** The mails that waited for this customer, taken (deleted) in the caller's transaction. */
export async function takeUnsentMails(tx: Executor, userId: number): Promise<UnsentMail[]> {
  return tx.delete(unsentMails).where(eq(unsentMails.userId, userId)).returning();
}
