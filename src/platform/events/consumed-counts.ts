import { sql } from 'drizzle-orm';
import type { DatabaseLane } from '../db/database.js';
import type { BusObserver } from './event-bus.js';

/** How often the counts reach the database: an operator's number, not a ledger. */
const FLUSH_MS = 1000;

/**
 * Counts the deliveries each queue's consumers handled (applied, or recognised as already applied)
 * and adds them to `platform.consumed_counts` once a second, one statement for every queue, so
 * that `npm run events -- status` — another process — can report them. A flush that fails (the
 * database is away) keeps its counts for the next; a process killed between two flushes loses at
 * most a second of counting, never an event.
 */
export class ConsumedCounts {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly database: DatabaseLane) {}

  observer(): BusObserver {
    return { consumed: (queue) => this.pending.set(queue, (this.pending.get(queue) ?? 0) + 1) };
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left (after the consumers have stopped). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const queues = [...batch.keys()];
    const counts = queues.map((queue) => batch.get(queue)!);
    try {
      await this.database.db.execute(sql`
        insert into platform.consumed_counts as counted (queue, handled)
        select * from unnest(${sql.param(queues)}::text[], ${sql.param(counts)}::bigint[])
        on conflict (queue) do update
          set handled = counted.handled + excluded.handled, updated_at = now()`);
    } catch {
      for (const [queue, count] of batch) this.pending.set(queue, (this.pending.get(queue) ?? 0) + count);
    }
  }
}

/** Several observers heard as one. */
export function observers(...list: BusObserver[]): BusObserver {
  return {
    published: (exchange, routingKey) => {
      for (const observer of list) observer.published?.(exchange, routingKey);
    },
    consumed: (queue) => {
      for (const observer of list) observer.consumed?.(queue);
    },
    failed: (queue) => {
      for (const observer of list) observer.failed?.(queue);
    },
    deadLettered: (queue) => {
      for (const observer of list) observer.deadLettered?.(queue);
    },
  };
}
