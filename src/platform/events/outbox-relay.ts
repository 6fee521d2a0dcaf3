import { type Backoff, backoffDelay } from '../backoff.js';
import type { Database } from '../db/database.js';
import type { EventBus, QueueBinding } from './event-bus.js';
import { type OutboxRows, outboxRows, queueAddress } from './outbox.js';
import { RelayLeadership } from './relay-leadership.js';
import { RelayPublishing } from './relay-publishing.js';

export interface RelayOptions {
  /** The exchanges this process publishes: the hosted modules' own. */
  exchanges: readonly string[];
  /** The hosted modules' queues: rows addressed to one of them (replays) go to it alone. */
  queues?: readonly QueueBinding[];
  batchSize: number;
  pollMs: number;
  onError(error: unknown): void;
  /** The statements on the outbox (tests give their own). */
  rows?: OutboxRows;
}

/**
 * Publishes committed outbox rows in id order, in two parts: `RelayLeadership` says which
 * destinations this process publishes (a database session holding their advisory locks) and knows
 * nothing of rows; `RelayPublishing` reads, publishes and marks the rows of the lease it is lent,
 * and knows nothing of locks.
 * This class runs them: one pass or flush at a time, in one chain, woken by commits, by other
 * relays' notifications and by a poll timer that slows down while the broker refuses.
 *
 * Nothing is claimed, and no transaction stays open while the broker confirms. A crash between the
 * confirm and the mark leaves the row to be published again (consumers' inboxes make that harmless).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  /** Passes and flushes run one after another, in this chain. */
  private tail: Promise<void> = Promise.resolve();
  private passQueued = false;
  private stopped = true;
  /** Set by `stop()`: a flush under way ends after its current batch. */
  private halted = false;
  /** A commit of this process since the last pass: the holder, if another relay, is rung. */
  private committed = false;
  private readonly destinations: string[];
  private readonly leadership: RelayLeadership;
  private readonly sending: RelayPublishing;
  private readonly onError: (error: unknown) => void;
  private readonly poll: Backoff;

  constructor(
    private readonly database: Database,
    bus: EventBus,
    options: RelayOptions,
  ) {
    const queues = options.queues ?? [];
    this.destinations = [...options.exchanges, ...queues.map((binding) => queueAddress(binding.queue))];
    this.sending = new RelayPublishing({
      rows: options.rows ?? outboxRows,
      elsewhere: () => database.events.db,
      bus,
      queues,
      batchSize: options.batchSize,
      onError: options.onError,
    });
    this.leadership = new RelayLeadership({
      destinations: this.destinations,
      openSession: () => database.openSession(),
      canPublish: () => bus.isHealthy(),
      pollMs: options.pollMs,
      settle: () => this.sending.settled(),
      onNotified: () => this.wake(),
    });
    // The poll interval, doubling with each refused batch, at most 64 times it or 30 s.
    this.poll = { firstMs: options.pollMs, maxMs: Math.min(options.pollMs * 64, 30_000) };
    this.onError = options.onError;
  }

  start(): void {
    if (this.destinations.length === 0) return;
    this.stopped = false;
    this.halted = false;
    this.database.onCommit(() => {
      this.committed = true;
      this.wake();
    });
    this.schedule(0);
  }

  /** Asks for a pass soon; called after every commit so the in-memory bus delivers at once. */
  wake(): void {
    if (this.stopped || this.passQueued) return;
    this.passQueued = true;
    void this.enqueue(() => {
      this.passQueued = false;
      return this.pass();
    });
  }

  /** Publishes everything unsent now and waits for it; for shutdown and tests. */
  async flush(): Promise<void> {
    if (this.destinations.length === 0) return;
    await this.enqueue(async () => {
      await this.leadership.lead(true);
      if (!this.leadership.leadsAll) await this.leadership.ring();
      this.sending.rewind();
      // The first batch always; more only while the broker takes them.
      let fresh = (await this.sending.next(this.leadership.lease)).fresh;
      while (fresh > 0 && !this.halted && this.sending.failedBatches === 0)
        fresh = (await this.sending.next(this.leadership.lease)).fresh;
    });
    await this.sending.settled();
  }

  /** Takes no new rows; publishes already under way go on. */
  async pause(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tail;
  }

  /**
   * Ends a flush under way after its batch, waits for the publishes under way to be confirmed or
   * given up, then lets go of the locks and tells the other relays, which bid at once.
   */
  async stop(): Promise<void> {
    this.halted = true;
    await this.pause();
    await this.sending.settled();
    await this.leadership.release();
  }

  /** Each destination this relay serves, and whether it publishes it now (holds its lock). */
  publishing(): ReadonlyMap<string, boolean> {
    return new Map(this.destinations.map((destination) => [destination, this.leadership.holds(destination)]));
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.tail.then(work);
    this.tail = done.catch(() => {});
    return done;
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedule(backoffDelay(this.poll, this.sending.failedBatches));
    }, delay);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      const committed = this.committed;
      this.committed = false;
      await this.leadership.lead(false);
      if (committed && !this.leadership.leadsAll) await this.leadership.ring();
      this.sending.rewind();
      // After a refused publish, one batch per pass (the retry) until one goes through.
      let more = true;
      while (more && !this.stopped)
        more = (await this.sending.next(this.leadership.lease)).more && this.sending.failedBatches === 0;
    } catch (error) {
      this.onError(error);
    }
  }
}
