import { and, asc, count, eq, inArray, lte, max } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.js';
import { deadLetters } from '../events/events.tables.js';
import { recordQueueDeliveries } from '../events/outbox.js';
import type { DeadLetterView } from './dead-letters.schemas.js';
import {
  type DeadLetterStore,
  deadLetterId,
  type Pick,
  type Progress,
  type TakeResult,
} from './dead-letters.store.js';

const BATCH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = typeof deadLetters.$inferSelect;

function view(row: Row): DeadLetterView {
  return {
    id: deadLetterId(row.queue, row.eventId),
    queue: row.queue,
    exchange: row.exchange,
    routing_key: row.routingKey,
    event_id: row.eventId,
    event: typeof row.message.event === 'string' ? row.message.event : null,
    error: row.error,
    attempts: row.attempts,
    parked_at: new Date(row.deadAt).toISOString(),
    message: row.message,
  };
}

/**
 * Replays go to the outbox in the transaction that deletes them. Copies of one event (a redelivery
 * parked twice) are sent, and counted, once.
 */
async function settle(tx: Executor, rows: readonly Row[], action: 'replay' | 'discard'): Promise<number> {
  const unique = new Map(rows.map((row) => [`${row.queue} ${row.eventId}`, row]));
  if (action === 'replay') {
    const deliveries = [...unique.values()].map((row) => ({
      queue: row.queue,
      routingKey: row.routingKey,
      message: row.message,
    }));
    await recordQueueDeliveries(tx, deliveries);
  }
  return unique.size;
}

/** `platform.dead_letters`, where the in-memory bus parks what it gave up on. */
export class TableDeadLetterStore implements DeadLetterStore {
  readonly name = 'platform.dead_letters';

  constructor(private readonly database: Database) {}

  async close(): Promise<void> {}

  async counts(queues: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map(queues.map((queue) => [queue, 0]));
    if (queues.length === 0) return counts;
    const rows = await this.database.db
      .select({ queue: deadLetters.queue, n: count() })
      .from(deadLetters)
      .where(inArray(deadLetters.queue, [...queues]))
      .groupBy(deadLetters.queue);
    for (const row of rows) counts.set(row.queue, Number(row.n));
    return counts;
  }

  async list(
    queues: readonly string[],
    window: { offset: number; limit: number },
  ): Promise<DeadLetterView[]> {
    if (queues.length === 0) return [];
    const rows = await this.database.db
      .select()
      .from(deadLetters)
      .where(inArray(deadLetters.queue, [...queues]))
      .orderBy(asc(deadLetters.id))
      .offset(window.offset)
      .limit(window.limit);
    return rows.map(view);
  }

  async find(queue: string, eventId: string): Promise<DeadLetterView | undefined> {
    if (!UUID.test(eventId)) return undefined;
    const [row] = await this.database.db
      .select()
      .from(deadLetters)
      .where(and(eq(deadLetters.queue, queue), eq(deadLetters.eventId, eventId)))
      .orderBy(asc(deadLetters.id))
      .limit(1);
    return row ? view(row) : undefined;
  }

  async take(
    queue: string,
    pick: Pick,
    action: 'replay' | 'discard',
    progress?: Progress,
  ): Promise<TakeResult> {
    if ('eventId' in pick) {
      if (!UUID.test(pick.eventId)) return { taken: 0, skipped: 0 };
      const taken = await this.database.transaction(async (tx) => {
        const rows = await tx
          .delete(deadLetters)
          .where(and(eq(deadLetters.queue, queue), eq(deadLetters.eventId, pick.eventId)))
          .returning();
        return settle(tx, rows, action);
      });
      progress?.(taken, taken);
      return { taken, skipped: 0 };
    }
    return this.takeOldest(queue, pick.limit, action, progress);
  }

  /** Only what was parked when it started: a replay that fails again is parked anew, not looped. */
  private async takeOldest(
    queue: string,
    limit: number,
    action: 'replay' | 'discard',
    progress?: Progress,
  ): Promise<TakeResult> {
    const [snapshot] = await this.database.db
      .select({ last: max(deadLetters.id), n: count() })
      .from(deadLetters)
      .where(eq(deadLetters.queue, queue));
    const last = snapshot?.last ?? 0;
    const total = Math.min(Number(snapshot?.n ?? 0), limit);
    let done = 0;
    let taken = 0;
    progress?.(0, total);
    while (done < total) {
      const batch = await this.database.transaction(async (tx) => {
        const ids = tx
          .select({ id: deadLetters.id })
          .from(deadLetters)
          .where(and(eq(deadLetters.queue, queue), lte(deadLetters.id, last)))
          .orderBy(asc(deadLetters.id))
          .limit(Math.min(BATCH, total - done))
          .for('update', { skipLocked: true });
        const rows = await tx.delete(deadLetters).where(inArray(deadLetters.id, ids)).returning();
        return { rows: rows.length, events: await settle(tx, rows, action) };
      });
      if (batch.rows === 0) break;
      done += batch.rows;
      taken += batch.events;
      progress?.(done, total);
    }
    return { taken, skipped: 0 };
  }
}
