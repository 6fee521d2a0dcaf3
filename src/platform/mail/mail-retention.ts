import { sql } from 'drizzle-orm';
import { type DatabaseLane, queryRows } from '../db/database.js';
import { PeriodicTask } from '../periodic-task.js';

/** Rows per DELETE: no sweep holds many locks or one long transaction. */
const BATCH = 5000;

/**
 * Keeps `platform.mail_outbox` from growing for ever: sent mails older than the retention
 * (EVENT_RETENTION_HOURS, as for the event outbox) are deleted; pending and parked ones never are.
 * Replicas may sweep at once: each skips the rows another is deleting.
 */
export class MailRetention {
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: DatabaseLane,
    private readonly options: {
      retentionHours: number;
      intervalMs: number;
      onSwept(removed: number): void;
      onError(error: unknown): void;
    },
  ) {
    this.task = new PeriodicTask(async () => {
      const removed = await this.sweep().catch((error: unknown) => this.options.onError(error));
      if (removed) this.options.onSwept(removed);
    }, this.options.intervalMs);
  }

  start(): void {
    this.task.start();
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Deletes the sent mails past the retention, batch by batch; answers how many went. */
  async sweep(): Promise<number> {
    const hours = `${this.options.retentionHours} hours`;
    const statement = sql`delete from platform.mail_outbox where id in (
          select id from platform.mail_outbox where sent_at < now() - ${hours}::interval
          order by id limit ${BATCH} for update skip locked)
        returning 1 as gone`;
    return this.task.drain(
      async () => (await queryRows<{ gone: number }>(this.database.db, statement)).length,
      BATCH,
    );
  }
}
