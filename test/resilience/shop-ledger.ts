import { connect } from 'amqplib';
import postgres from 'postgres';
import { ALL_MODULES } from '../../src/app.js';
import { deadLetterQueueOf, retryQueueOf } from '../../src/platform/events/rabbitmq-topology.js';
import { topologyOf } from '../../src/platform/events/runtime.js';
import type { Shop } from './shop-over-http.js';

/** Where a burst's checkouts stand, read straight from PostgreSQL and RabbitMQ. */
export interface Ledger {
  /** Accepted checkouts with no order. */
  missing: number;
  /** Accepted checkouts whose order is still pending. */
  pending: number;
  confirmed: number;
  rejected: number;
  /** Orders that no accepted checkout named (a checkout that committed while its answer was lost). */
  unannounced: number;
  /** Per product: initial stock − current stock − units of confirmed orders (0 when it balances). */
  stockImbalance: number[];
  unpublished: number;
  /** Messages waiting in the modules' queues and their retry queues. */
  queued: number;
  /** Messages parked: `.dlq` queues and the table. */
  parked: number;
}

export async function readLedger(
  databaseUrl: string,
  amqpUrl: string,
  shop: Shop,
  accepted: readonly string[],
): Promise<Ledger> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const orders = await sql<{ id: string; status: string }[]>`select id, status from orders.orders`;
    const status = new Map(orders.map((order) => [order.id, order.status]));
    const acceptedSet = new Set(accepted);
    const units = await sql<{ product_id: number; units: number }[]>`
      select i.product_id, sum(i.quantity)::int as units from orders.order_items i
      join orders.orders o on o.id = i.order_id where o.status = 'confirmed' group by i.product_id`;
    const stock = await sql<{ id: number; stock: number }[]>`select id, stock from products.products`;
    const [outbox] = await sql<{ n: number }[]>`
      select count(*)::int as n from platform.outbox where published_at is null`;
    const [table] = await sql<{ n: number }[]>`select count(*)::int as n from platform.dead_letters`;
    const depths = await queueDepths(amqpUrl);
    return {
      missing: accepted.filter((id) => !status.has(id)).length,
      pending: accepted.filter((id) => status.get(id) === 'pending').length,
      confirmed: accepted.filter((id) => status.get(id) === 'confirmed').length,
      rejected: accepted.filter((id) => status.get(id) === 'rejected').length,
      unannounced: orders.filter((order) => !acceptedSet.has(order.id)).length,
      stockImbalance: shop.products.map(
        (product) =>
          product.stock -
          (stock.find((row) => row.id === product.id)?.stock ?? Number.NaN) -
          (units.find((row) => row.product_id === product.id)?.units ?? 0),
      ),
      unpublished: outbox!.n,
      queued: depths.queued,
      parked: depths.parked + table!.n,
    };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function queueDepths(amqpUrl: string): Promise<{ queued: number; parked: number }> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    let queued = 0;
    let parked = 0;
    for (const { queue } of topologyOf(ALL_MODULES).bindings) {
      queued += (await channel.checkQueue(queue)).messageCount;
      queued += (await channel.checkQueue(retryQueueOf(queue))).messageCount;
      parked += (await channel.checkQueue(deadLetterQueueOf(queue))).messageCount;
    }
    return { queued, parked };
  } finally {
    await connection.close();
  }
}

/** Settled: every accepted checkout has its final order, and nothing waits in the outbox or a queue. */
export const settled = (ledger: Ledger) =>
  ledger.missing === 0 && ledger.pending === 0 && ledger.unpublished === 0 && ledger.queued === 0;
