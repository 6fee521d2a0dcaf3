import type { Delivery } from './event-bus.js';

export interface DeliveryBatchOptions {
  /** The most deliveries applied in one transaction. */
  maxSize: number;
  /** Batches of one queue applied at the same time (each on its own connection on PostgreSQL). */
  maxConcurrent: number;
}

/**
 * One batch of a queue at a time: two would take the same read-model rows (a category's count) in
 * different orders, wait on each other or deadlock, and fall back to one delivery at a time —
 * measured at a quarter of the speed on the seed's category counts.
 */
export const DELIVERY_BATCHES: DeliveryBatchOptions = { maxSize: 100, maxConcurrent: 1 };

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
 * that is not applied. A batch that fails is rolled back whole and its deliveries are applied
 * again one by one (each in its own transaction): a poison message fails alone, with its own
 * error, and the others go through; a repeat is harmless (the inbox, or the version guards).
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
      const applied = await this.applyBatch(batch.map((waiting) => waiting.delivery)).then(
        () => true,
        () => false,
      );
      if (applied) {
        for (const waiting of batch) waiting.resolve();
        return;
      }
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
