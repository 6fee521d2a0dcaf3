import { type SQL, sql } from 'drizzle-orm';
import { type DatabaseLane, queryRows } from '../db/database.js';
import { PeriodicTask } from '../periodic-task.js';

export interface RetentionOptions {
  /** Published outbox rows and inbox records older than this are deleted. */
  retentionHours: number;
  /** Time between two sweeps; the first runs one interval after start. */
  intervalMs: number;
  /** Rows per DELETE, so that no sweep holds many locks or one long transaction. */
  batchSize?: number;
  onSwept(removed: { outbox: number; inbox: number }): void;
  onError(error: unknown): void;
}

/**
 * Keeps `platform.outbox` and `platform.inbox` from growing for ever. A published outbox row has
 * done its work; an inbox record only has to outlive any redelivery of its event, which comes
 * within minutes (an unacknowledged message) — a dead letter replayed later was never applied, so
 * it has no record to miss. Unpublished rows are never touched. Replicas may sweep at the same
 * time: each skips the rows another is deleting.
 */
export class EventRetention {
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: DatabaseLane,
    private readonly options: RetentionOptions,
  ) {
    this.task = new PeriodicTask(async () => {
      const removed = await this.sweep().catch((error: unknown) => this.options.onError(error));
      if (removed && removed.outbox + removed.inbox > 0) this.options.onSwept(removed);
    }, this.options.intervalMs);
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Deletes what is past the retention, batch by batch; returns how many rows went. */
  async sweep(): Promise<{ outbox: number; inbox: number }> {
    const hours = `${this.options.retentionHours} hours`;
    const limit = this.options.batchSize ?? 5000;
    const outbox = await this.drain(
      sql`delete from platform.outbox where id in (
          select id from platform.outbox
          where published_at < now() - ${hours}::interval
          order by id limit ${limit} for update skip locked)
        returning 1 as gone`,
      limit,
    );
    const inbox = await this.drain(
      sql`delete from platform.inbox where (consumer, event_id) in (
          select consumer, event_id from platform.inbox
          where handled_at < now() - ${hours}::interval
          limit ${limit} for update skip locked)
        returning 1 as gone`,
      limit,
    );
    return { outbox, inbox };
  }

  /** Runs `statement` (a DELETE of at most `limit` rows) until it deletes fewer. */
  private drain(statement: SQL, limit: number): Promise<number> {
    return this.task.drain(
      async () => (await queryRows<{ gone: number }>(this.database.db, statement)).length,
      limit,
    );
  }
}
