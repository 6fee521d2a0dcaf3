import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/database.js';
import { queueAddress } from '../events/outbox.js';
import { mailStatus } from '../mail/mail-admin.js';
import { type ModuleDefinition, queueName } from '../module.js';
import type { EventsStatus } from './dead-letters.schemas.js';
import type { DeadLetterStore } from './dead-letters.store.js';

interface OutboxRow {
  exchange: string;
  pending: number;
  published: number;
  oldest: number | null;
}

interface ConsumedRow {
  queue: string;
  handled: number;
}

/**
 * Per module: its outbox (by the exchange it publishes), and per queue it consumes the deliveries
 * its consumers handled (`platform.consumed_counts`: the inbox would miss the version-guarded read
 * models, which keep no inbox row, and the records the retention sweep removed), the messages
 * parked and the replays not yet delivered; and the mail outbox.
 */
export async function eventsStatus(options: {
  database: Database;
  store: DeadLetterStore;
  modules: readonly ModuleDefinition[];
  bus: 'memory' | 'rabbitmq';
}): Promise<EventsStatus> {
  const { database, store, modules, bus } = options;
  const outboxRows = await queryRows<OutboxRow>(
    database.db,
    sql`select exchange,
          count(*) filter (where published_at is null)::int as pending,
          count(*) filter (where published_at is not null)::int as published,
          extract(epoch from now() - min(created_at) filter (where published_at is null))::float8 as oldest
        from platform.outbox group by exchange`,
  );
  const consumedRows = await queryRows<ConsumedRow>(
    database.db,
    sql`select queue, handled from platform.consumed_counts`,
  );
  const outbox = new Map(outboxRows.map((row) => [row.exchange, row]));
  const consumed = new Map(consumedRows.map((row) => [row.queue, Number(row.handled)]));
  const queues = modules.flatMap((module) =>
    module.consumes.map((consumption) => queueName(module.name, consumption.exchange)),
  );
  const parked = await store.counts(queues);

  const report = modules.map((module) => {
    const exchange = module.publishes?.exchange ?? null;
    const own = exchange === null ? undefined : outbox.get(exchange);
    return {
      module: module.name,
      exchange,
      outbox: {
        pending: Number(own?.pending ?? 0),
        oldest_pending_age_seconds: own?.oldest == null ? null : Math.max(0, Number(own.oldest)),
        published: Number(own?.published ?? 0),
      },
      queues: module.consumes.map((consumption) => {
        const queue = queueName(module.name, consumption.exchange);
        return {
          queue,
          exchange: consumption.exchange,
          consumed: consumed.get(queue) ?? 0,
          dead_lettered: parked.get(queue) ?? 0,
          replays_pending: Number(outbox.get(queueAddress(queue))?.pending ?? 0),
        };
      }),
    };
  });
  const sum = (pick: (module: (typeof report)[number]) => number) =>
    report.reduce((total, module) => total + pick(module), 0);
  const sumQueues = (field: 'consumed' | 'dead_lettered' | 'replays_pending') =>
    sum((module) => module.queues.reduce((total, queue) => total + queue[field], 0));
  return {
    bus,
    dead_letter_store: store.name,
    modules: report,
    mail: await mailStatus(database.db),
    totals: {
      pending: sum((module) => module.outbox.pending),
      published: sum((module) => module.outbox.published),
      consumed: sumQueues('consumed'),
      dead_lettered: sumQueues('dead_lettered'),
      replays_pending: sumQueues('replays_pending'),
    },
  };
}
