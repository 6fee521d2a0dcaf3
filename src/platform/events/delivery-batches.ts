import { classifyFailure } from '../db/failures.js';
import type { Delivery } from './event-bus.js';

export interface DeliveryBatchOptions {
  /** The most deliveries applied in one transaction. */
  maxSize: number;
  /** Batches of one queue applied at the same time (each on its own connection on PostgreSQL). */
  maxConcurrent: number;
  /** A batch failed other than on one delivery's handler and goes again one delivery at a time. */
  onRetryAlone?(error: unknown, size: number): void;
}

/**
 * A queue applies up to four batches at once, each on its own connection: while the saga runs, a
 * queue's deliveries come a few at a time and go alone, side by side, as they did before batches
 * (one at a time, every delivery waited for the statements of the ones before it, and under load
 * the checkout's orders took seconds to be confirmed); in a burst, four batches of the waiting ones.
 */
export const DELIVERY_BATCHES: DeliveryBatchOptions = { maxSize: 100, maxConcurrent: 4 };

/**
 * For a handler whose rows many events share (a category's count): two batches at once would take
 * them in different orders, wait on each other or deadlock — measured at a quarter of the speed on
 * the seed's category counts — so one batch at a time, and a bigger one: the batch's statements
 * wait their turn on a busy machine whatever its size, and this queue has no other lane (100,000
 * products' category counts: 2,850 events/s in batches of 100, 3,650 in batches of 400).
 */
export const ONE_BATCH_AT_A_TIME: DeliveryBatchOptions = { maxSize: 400, maxConcurrent: 1 };

/**
 * For a handler whose shared rows are locked in one order (ascending key) before anything is
 * written to them — the stock reservations: two batches at once. The second's statements wait in
 * PostgreSQL on the first's locks and go on the moment it commits, where one at a time they were
 * sent only once the app had seen that commit, a turn of a busy event loop and a round trip later
 * (bench/checkout-only.ts, RabbitMQ, alternating: p99 POST→confirmed 2.01–2.06× the POST's against
 * 2.16–2.69× one at a time). Locked in one order, two batches wait on each other's rows rather
 * than deadlock; where a cycle remains (a cancellation meeting its order's claim in the other
 * batch), PostgreSQL ends one of them, and it goes again one delivery at a time, as above.
 */
export const TWO_BATCHES_LOCKED_IN_ORDER: DeliveryBatchOptions = { maxSize: 400, maxConcurrent: 2 };

/** A batch's handler failed on one of its deliveries: `index` in the batch, with the handler's error. */
export class BatchItemFailure extends Error {
  constructor(
    readonly index: number,
    readonly reason: unknown,
  ) {
    super(
      `delivery ${index} of the batch failed: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
  }
}

interface Waiting {
  delivery: Delivery;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Applies the deliveries of one queue in batches. A delivery that arrives while the queue's batches
 * are all running waits, and the ones that waited go together in the next batch — one transaction
 * for them all — so a burst (a seed, a bulk import) costs a commit per batch rather than one per
 * event, while a lone delivery goes at once, alone, as it always did.
 *
 * A delivery's promise settles only once its batch has committed, so the bus acknowledges nothing
 * that is not applied. A batch whose handler fails on one delivery is rolled back whole: that
 * delivery fails with its own error (tried once, as it would have been alone) and the others go
 * again first, as the next batch — so a poison message fails alone and is never tried twice for one
 * delivery. A batch that fails otherwise (its inbox statement, its commit, a deadlock with another
 * batch) is applied again one delivery at a time. A repeat is harmless (the inbox, or the version guards).
 */
export class DeliveryBatches {
  private readonly waiting: Waiting[] = [];
  private running = 0;

  constructor(
    private readonly applyBatch: (deliveries: Delivery[]) => Promise<void>,
    private readonly applyOne: (delivery: Delivery) => Promise<void>,
    private readonly options: DeliveryBatchOptions = DELIVERY_BATCHES,
  ) {}

  apply(delivery: Delivery): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ delivery, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxSize);
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.next();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    if (batch.length > 1) {
      const failure = await this.applyBatch(batch.map((waiting) => waiting.delivery)).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failure === undefined) {
        for (const waiting of batch) waiting.resolve();
        return;
      }
      // A deadlock or serialization failure says nothing about the delivery it met: the batch
      // goes again one delivery at a time, below.
      if (
        failure instanceof BatchItemFailure &&
        batch[failure.index] &&
        classifyFailure(failure.reason) !== 'contention'
      ) {
        batch[failure.index]!.reject(failure.reason);
        this.waiting.unshift(...batch.filter((_, index) => index !== failure.index));
        return;
      }
      this.options.onRetryAlone?.(
        failure instanceof BatchItemFailure ? failure.reason : failure,
        batch.length,
      );
    }
    await Promise.all(
      batch.map(async (waiting) => {
        try {
          await this.applyOne(waiting.delivery);
          waiting.resolve();
        } catch (error) {
          waiting.reject(error);
        }
      }),
    );
  }
}
