import type { Executor } from '../../platform/db/database.js';
import { type OutboxEvent, recordEvents } from '../../platform/events/outbox.js';
import { ProductEvent } from './contract.js';
import { productRevised, stockRejected, stockReleased, stockReserved } from './products.events.js';
import type { ProductRow } from './products.repository.js';
import * as products from './products.repository.js';
import type { ReservedLine } from './reservations.repository.js';
import * as reservations from './reservations.repository.js';

export const ORDER_CANCELLED_REASON = 'order cancelled';

/**
 * `order.created`: reserves every line or none, exactly once per order. Rows are locked in
 * ascending product id, the one order every multi-product locker uses, so orders holding the same
 * products in any order cannot deadlock; the stock is checked under those locks.
 */
export async function reserveStock(tx: Executor, orderId: string, items: ReservedLine[]): Promise<void> {
  const lines = mergeLines(items);
  if (!(await reservations.claimReservation(tx, orderId, 'pending', lines))) {
    await answerLateOrder(tx, orderId, lines);
    return;
  }
  const refusal = await refusalOf(tx, lines);
  if (refusal) {
    await reservations.settleReservation(tx, orderId, { status: 'rejected', reason: refusal });
    await recordEvents(tx, [stockRejected(orderId, lines, refusal)]);
    return;
  }
  const changed: ProductRow[] = [];
  for (const line of lines) changed.push(await takeOrThrow(tx, line.product_id, -line.quantity));
  await reservations.settleReservation(tx, orderId, { status: 'reserved' });
  await recordEvents(tx, [
    stockReserved(orderId, lines),
    ...changed.map((product) => productRevised(ProductEvent.updated, product)),
  ]);
}

/**
 * `reserveStock` for a batch's run of `order.created`, in a handful of statements whatever its
 * length: the orders claimed at once, every product they hold locked at once (ascending id), each
 * order served or refused in its turn against the stock left by the ones before it — as one by
 * one — then the stock, the reservations and the events written back, one statement each. A
 * product taken by several orders of the run changes once (one `product.updated`, its version
 * moved by one). An order already known (a repeat, or cancelled first) is answered as alone.
 */
export async function reserveStocks(
  tx: Executor,
  orders: readonly { orderId: string; items: ReservedLine[] }[],
): Promise<void> {
  const wanted = new Map<string, ReservedLine[]>();
  const known: { orderId: string; lines: ReservedLine[] }[] = [];
  for (const order of orders) {
    const lines = mergeLines(order.items);
    if (wanted.has(order.orderId)) known.push({ orderId: order.orderId, lines });
    else wanted.set(order.orderId, lines);
  }
  const claims = [...wanted].map(([orderId, items]) => ({ orderId, items }));
  // The claim and the locks go down together (postgres.js pipelines a transaction's statements,
  // PostgreSQL runs them in order): a round trip less for every batch, at the price of also
  // locking the products of a repeated order, which changes nothing.
  const productIds = new Set(claims.flatMap((order) => order.items.map((line) => line.product_id)));
  const [claimed, stock] = await Promise.all([
    reservations.claimReservations(tx, claims),
    productIds.size > 0 ? products.lockStock(tx, [...productIds]) : new Map<number, number>(),
  ]);
  const fresh = claims.filter((claim) => claimed.has(claim.orderId));
  known.push(
    ...claims
      .filter((claim) => !claimed.has(claim.orderId))
      .map(({ orderId, items }) => ({ orderId, lines: items })),
  );
  const taken = new Map<number, number>();
  const settled: { orderId: string; status: 'reserved' | 'rejected'; reason: string | null }[] = [];
  const answers: OutboxEvent[] = [];
  for (const { orderId, items } of fresh) {
    const refusal = refusalAgainst(stock, items);
    if (refusal) {
      settled.push({ orderId, status: 'rejected', reason: refusal });
      answers.push(stockRejected(orderId, items, refusal));
      continue;
    }
    for (const line of items) {
      stock.set(line.product_id, stock.get(line.product_id)! - line.quantity);
      taken.set(line.product_id, (taken.get(line.product_id) ?? 0) - line.quantity);
    }
    settled.push({ orderId, status: 'reserved', reason: null });
    answers.push(stockReserved(orderId, items));
  }
  const [changed] = await Promise.all([
    products.changeStocks(tx, taken),
    reservations.settleReservations(tx, settled),
  ]);
  await recordEvents(tx, [
    ...answers,
    ...changed.map((product) => productRevised(ProductEvent.updated, product)),
  ]);
  for (const { orderId, lines } of known) await answerLateOrder(tx, orderId, lines);
}

/**
 * `order.cancelled`: gives a reserved order's stock back once. A cancellation that arrives first
 * leaves a `cancelled` row, so the late `order.created` reserves nothing.
 */
export async function releaseStock(tx: Executor, orderId: string): Promise<void> {
  if (await reservations.claimReservation(tx, orderId, 'cancelled', [])) return;
  const reservation = await reservations.lockReservation(tx, orderId);
  if (reservation.status !== 'reserved') return;
  const changed: ProductRow[] = [];
  for (const line of mergeLines(reservation.items)) {
    // A product deleted meanwhile stays deleted: its tombstone is not revised.
    const product = await products.changeStock(tx, line.product_id, line.quantity);
    if (product) changed.push(product);
  }
  await reservations.settleReservation(tx, orderId, { status: 'released' });
  await recordEvents(tx, [
    stockReleased(orderId, reservation.items),
    ...changed.map((product) => productRevised(ProductEvent.updated, product)),
  ]);
}

/** A second `order.created` for a known order: nothing again, unless it was cancelled first. */
async function answerLateOrder(tx: Executor, orderId: string, lines: ReservedLine[]): Promise<void> {
  const reservation = await reservations.lockReservation(tx, orderId);
  if (reservation.status !== 'cancelled') return;
  await reservations.settleReservation(tx, orderId, {
    status: 'rejected',
    reason: ORDER_CANCELLED_REASON,
    items: lines,
  });
  await recordEvents(tx, [stockRejected(orderId, lines, ORDER_CANCELLED_REASON)]);
}

/** Locks the order's products and names the first line that cannot be served, if any. */
async function refusalOf(tx: Executor, lines: ReservedLine[]): Promise<string | undefined> {
  const stock = await products.lockStock(
    tx,
    lines.map((line) => line.product_id),
  );
  return refusalAgainst(stock, lines);
}

/** The first line that `stock` (live products by id) cannot serve, if any. */
function refusalAgainst(stock: ReadonlyMap<number, number>, lines: ReservedLine[]): string | undefined {
  for (const line of lines) {
    const available = stock.get(line.product_id);
    if (available === undefined) return `unknown product ${line.product_id}`;
    if (available < line.quantity) return `insufficient stock for product ${line.product_id}`;
  }
  return undefined;
}

async function takeOrThrow(tx: Executor, productId: number, delta: number): Promise<ProductRow> {
  const product = await products.changeStock(tx, productId, delta);
  if (!product) throw new Error(`stock of product ${productId} changed under its lock`);
  return product;
}

/** One line per product, in ascending product id: the locking order. */
function mergeLines(items: readonly ReservedLine[]): ReservedLine[] {
  const quantities = new Map<number, number>();
  for (const item of items)
    quantities.set(item.product_id, (quantities.get(item.product_id) ?? 0) + item.quantity);
  return [...quantities]
    .sort(([a], [b]) => a - b)
    .map(([product_id, quantity]) => ({ product_id, quantity }));
}
