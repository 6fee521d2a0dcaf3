import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import { PeriodicTask } from '../../platform/periodic-task.js';
import { OrderEvent } from './contract.js';
import { orderEvent } from './orders.events.js';
import * as repository from './orders.repository.js';

/** The reason an order cancelled for want of payment carries. */
export const PAYMENT_TIMEOUT = 'payment_timeout';

/** Orders cancelled per transaction; a sweep goes on while it finds full batches. */
const BATCH = 100;

export interface OrderExpiryOptions {
  database: Database;
  logger: FastifyBaseLogger;
  windowMinutes: number;
  checkEveryMs: number;
}

/**
 * Gives back the stock of orders nobody pays: every `checkEveryMs`, a `confirmed` order confirmed
 * more than `windowMinutes` ago is cancelled with reason `payment_timeout` through the same
 * conditional transition as any cancellation, so `order.cancelled` makes products release its
 * stock once. With several replicas each sweeps; the rows are locked `SKIP LOCKED` and the
 * transition happens only from `confirmed`, so each order is cancelled once, and an order paid
 * meanwhile is not cancelled at all.
 */
export class OrderExpiry {
  private readonly task: PeriodicTask;

  constructor(private readonly options: OrderExpiryOptions) {
    this.task = new PeriodicTask(async () => {
      const expired = await this.sweep().catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'the unpaid-order sweep failed; it runs again later');
        return 0;
      });
      if (expired > 0) this.options.logger.info({ expired }, 'unpaid orders cancelled (payment_timeout)');
    }, this.options.checkEveryMs);
  }

  start(): void {
    this.task.start();
  }

  /** No more sweeps; resolves once a sweep under way has ended. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Cancels every order past its window now; answers how many. */
  async sweep(now = new Date()): Promise<number> {
    const confirmedBefore = new Date(now.getTime() - this.options.windowMinutes * 60_000);
    let expired = 0;
    await this.task.drain(async () => {
      const batch = await this.options.database.transaction(async (tx) => {
        const ids = await repository.lockUnpaid(tx, confirmedBefore, BATCH);
        let cancelled = 0;
        for (const id of ids) {
          const changed = await repository.transition(tx, id, {
            to: 'cancelled',
            from: ['confirmed'],
            at: now,
            reason: PAYMENT_TIMEOUT,
          });
          if (!changed) continue;
          await recordEvents(tx, [orderEvent(changed, OrderEvent.cancelled)]);
          cancelled++;
        }
        return { found: ids.length, cancelled };
      });
      expired += batch.cancelled;
      return batch.found;
    }, BATCH);
    return expired;
  }
}

/** Sweeps while the app runs: from when it is ready until it closes (a sweep under way finishes). */
export function watchUnpaidOrders(app: FastifyInstance, options: OrderExpiryOptions): OrderExpiry {
  const expiry = new OrderExpiry(options);
  app.addHook('onReady', async () => expiry.start());
  app.addHook('onClose', async () => expiry.stop());
  return expiry;
}
