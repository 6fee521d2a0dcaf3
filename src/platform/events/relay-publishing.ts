import type { Executor } from '../db/executor.js';
import type { DatabaseSession } from '../db/session.js';
import type { EventBus, QueueBinding } from './event-bus.js';
import { type OutboxRow, type OutboxRows, queueAddress } from './outbox.js';
import type { Lease } from './relay-leadership.js';

/**
 * What may be handed to the bus and not yet confirmed and marked: `WINDOW` full batches' rows, in
 * at most `WINDOW_BATCHES` batches. Counted in rows, so that the small batches of a busy shop
 * (a few rows per pass) do not stall the relay: the in-memory bus confirms a copy once its queue
 * has handled it, and with four batches of any size in flight, orders and stock answers waited
 * behind slow read-model queues (bench/checkout-only.ts, in-memory: p50 POST→confirmed 937 ms
 * with four batches, 450 ms with 32).
 */
export const WINDOW = 4;
export const WINDOW_BATCHES = 32;

export interface PublishingOptions {
  rows: OutboxRows;
  /** A connection for the marks of a session that was lost: a confirmed row may be marked from any. */
  elsewhere(): Executor;
  bus: Pick<EventBus, 'publish'>;
  /** The hosted modules' queues: rows addressed to one of them (replays) go to it alone. */
  queues: readonly QueueBinding[];
  batchSize: number;
  onError(error: unknown): void;
}

export interface BatchOutcome {
  /** Rows handed to the bus by this batch. */
  fresh: number;
  /** Whether the read filled its limit: there may be more after the cursor. */
  more: boolean;
}

/**
 * The publishing half of the outbox relay: the cursor, the window of batches awaiting their
 * confirms, and the marks. A row is *unread*, then *in flight* (handed to the bus; never read as new
 * however often a read meets it), then *settled*: marked published once the broker confirmed it, or
 * marked with the broker's refusal and unread again, for a later pass. Nothing is claimed: the
 * leadership's lock says who publishes, so a row is written once.
 */
export class RelayPublishing {
  /** The last id read in this pass: a pass reads forward from the start of the table. */
  private cursor = 0;
  /** Rows in flight: handed to the bus, their mark not yet written. */
  private readonly unsettled = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private failures = 0;
  private readonly queues: Map<string, QueueBinding>;

  constructor(private readonly options: PublishingOptions) {
    this.queues = new Map(options.queues.map((binding) => [queueAddress(binding.queue), binding]));
  }

  /** Batches in a row the broker refused (0 once one goes through): they slow the relay's polls. */
  get failedBatches(): number {
    return this.failures;
  }

  get batchesInFlight(): number {
    return this.inFlight.size;
  }

  get rowsInFlight(): number {
    return this.unsettled.size;
  }

  /**
   * Starts a pass: the next read is from the start of the table, so that a row which committed
   * after rows with later ids were published (its transaction took its id first) is found.
   */
  rewind(): void {
    this.cursor = 0;
  }

  /** Resolves once every batch handed out so far is marked (or given up on). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  /**
   * Reads the batch after the cursor on the lease's session and hands its fresh rows to the bus;
   * resolves once they are handed over and the window has room again (confirms are awaited apart).
   */
  async next(lease: Lease | undefined): Promise<BatchOutcome> {
    if (!lease?.session.open || lease.destinations.length === 0) return { fresh: 0, more: false };
    const { session } = lease;
    // What is in flight when the read is sent: a row leaves `unsettled` only once its mark has
    // committed, so a row the read can still see as unpublished is in this copy, whichever
    // connection marks it and whenever the answers arrive. Room is made for those after the cursor.
    const skip = new Set<number>();
    for (const id of this.unsettled) if (id > this.cursor) skip.add(id);
    const limit = this.options.batchSize + skip.size;
    const rows = await this.options.rows.unpublished(session.db, {
      destinations: lease.destinations,
      after: this.cursor,
      limit,
    });
    // A read answered on a connection that is no longer the lock's may not be published.
    if (!session.open) return { fresh: 0, more: false };
    if (rows.length > 0) this.cursor = rows[rows.length - 1]!.id;
    const fresh = rows.filter((row) => !skip.has(row.id) && !this.unsettled.has(row.id));
    if (fresh.length > 0) {
      for (const row of fresh) this.unsettled.add(row.id);
      const publishing = fresh.map((row) => this.publish(row));
      const done = this.settle(session, fresh, publishing);
      this.inFlight.add(done);
      void done.finally(() => this.inFlight.delete(done));
      const full =
        this.inFlight.size >= WINDOW_BATCHES || this.unsettled.size >= WINDOW * this.options.batchSize;
      if (full) await Promise.race(this.inFlight);
    }
    return { fresh: fresh.length, more: rows.length === limit };
  }

  private publish(row: OutboxRow): Promise<void> {
    const binding = this.queues.get(row.exchange);
    if (!binding) return this.options.bus.publish(row.exchange, row.routingKey, row.message);
    return this.options.bus.publish(binding.exchange, row.routingKey, row.message, { queue: binding.queue });
  }

  /** Waits for the batch's confirms, then marks it: what went through, and what the broker refused. */
  private async settle(session: DatabaseSession, rows: OutboxRow[], publishing: Promise<void>[]) {
    const results = await Promise.allSettled(publishing);
    const sent = rows.filter((_, index) => results[index]!.status === 'fulfilled').map((row) => row.id);
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    try {
      if (sent.length > 0) await this.mark(session, sent);
      if (failed) {
        const unsent = rows.map((row) => row.id).filter((id) => !sent.includes(id));
        await this.mark(session, unsent, String(failed.reason));
        this.failures++;
        this.options.onError(failed.reason);
      } else {
        this.failures = 0;
      }
    } catch (error) {
      this.options.onError(error);
    } finally {
      for (const row of rows) this.unsettled.delete(row.id);
    }
  }

  /** On the session while it lives (see `next`); only a lost session sends the mark elsewhere, once. */
  private async mark(session: DatabaseSession, ids: number[], error?: string): Promise<void> {
    if (session.open) {
      try {
        await this.options.rows.mark(session.db, ids, error);
        return;
      } catch (failure) {
        // Any other failure is the caller's.
        if (session.open) throw failure;
      }
    }
    await this.options.rows.mark(this.options.elsewhere(), ids, error);
  }
}
