import { type SQL, sql } from 'drizzle-orm';
import { type DatabaseLane, queryRows } from '../db/database.js';

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
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly database: DatabaseLane,
    private readonly options: RetentionOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
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
  private async drain(statement: SQL, limit: number): Promise<number> {
    let total = 0;
    for (;;) {
      const gone = (await queryRows<{ gone: number }>(this.database.db, statement)).length;
      total += gone;
      if (gone < limit || this.stopped) return total;
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      const sweeping = this.sweep().then(
        (removed) => {
          if (removed.outbox + removed.inbox > 0) this.options.onSwept(removed);
        },
        (error: unknown) => this.options.onError(error),
      );
      this.sweeping = sweeping;
      void sweeping.finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }
}
