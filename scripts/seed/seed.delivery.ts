import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { ALL_MODULES } from '../../src/app.js';
import { queryRows } from '../../src/platform/db/database.js';
import { MemoryEventBus } from '../../src/platform/events/memory-bus.js';
import { topicMatches } from '../../src/platform/events/topic-pattern.js';
import type { SeedProgress } from './seed.progress.js';

interface EventsTotals {
  pending: number;
  consumed: number;
}

interface OutboxKind {
  exchange: string;
  routing_key: string;
  n: number;
}

const POLL_MS = 250;
/** With nothing published or handled for this long, something is wrong: say so rather than wait forever. */
const STALL_MS = 120_000;
/** Nothing handled for this long with the outbox empty: the bus is asked whether it is idle. */
const QUIET_MS = 2_000;
/** Unpublished rows are counted up to this many: enough to see them go, cheap at any size. */
const PENDING_COUNTED = 5_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How many consumer queues take an event of this exchange and routing key. */
function consumersOf(exchange: string, routingKey: string): number {
  return ALL_MODULES.flatMap((module) => module.consumes).filter(
    (consumption) =>
      consumption.exchange === exchange &&
      consumption.patterns.some((pattern) => topicMatches(pattern, routingKey)),
  ).length;
}

/**
 * Waits until every event written so far — and every event their consumers wrote in turn — has
 * been published and handled by each queue that takes it. Progress counts deliveries: those the
 * consumers handled since the phase began (`platform.consumed_counts`, as the operators see them in
 * `npm run events -- status`) against those the phase's outbox rows call for (each event once per
 * consuming queue), so the bar moves while the consumers work, not only while the relay publishes.
 */
export async function deliverEvents(
  app: FastifyInstance,
  progress: SeedProgress,
  label = 'delivering events',
): Promise<void> {
  const { events, database } = app.platform;
  // Straight from the platform's tables, as `npm run events -- status` counts them: a request would
  // queue behind the consumers on PGlite and answer only once they are done.
  const status = async () => {
    await events.flushConsumedCounts();
    // The unpublished rows through their partial index, counted up to PENDING_COUNTED: counting
    // them all (100,000 right after the bulk import) took 150-300 ms of PostgreSQL's CPU at every
    // poll, away from the consumers it waits for.
    const [row] = await queryRows<EventsTotals>(
      database.db,
      sql`select (select count(*) from (select from platform.outbox where published_at is null
                  limit ${PENDING_COUNTED}) as unpublished)::int as pending,
            (select coalesce(sum(handled), 0)::bigint from platform.consumed_counts) as consumed`,
    );
    return { pending: Number(row?.pending ?? 0), consumed: Number(row?.consumed ?? 0) };
  };
  let first = await status();
  if (first.pending === 0 && (await busIdle(app))) {
    first = await status();
    if (first.pending === 0) return;
  }
  // The phase's events: those not yet published now, and every one written from now on.
  const [start] = await queryRows<{ id: number }>(
    database.db,
    sql`select coalesce(min(id) filter (where published_at is null), max(id), 0)::bigint - 1 as id from platform.outbox`,
  );
  const owed = new OwedDeliveries(database, Number(start?.id ?? 0));
  const phase = progress.phase(label, await owed.total(), 'deliveries');
  let now = first;
  let lastMove = Date.now();
  let handled = 0;
  let total = await owed.total();
  for (;;) {
    // Waiting for the bus to be idle would hide the consumers' progress: only once they have done
    // what the outbox calls for, or have stopped moving (an event dead-lettered is never counted).
    const caughtUp = handled >= total || Date.now() - lastMove > QUIET_MS;
    if (now.pending === 0 && caughtUp && (await busIdle(app))) {
      // The consumers may have written events of their own while the bus emptied; and the count
      // of what is owed is made exact (a row may commit after rows with later ids were counted).
      now = await status();
      total = await owed.total(true);
      handled = Math.min(now.consumed - first.consumed, total);
      if (now.pending === 0 && (handled >= total || Date.now() - lastMove > QUIET_MS)) break;
    }
    events.relay.wake();
    await pause(app);
    const next = await status();
    if (next.pending !== now.pending || next.consumed !== now.consumed) lastMove = Date.now();
    else if (Date.now() - lastMove > STALL_MS)
      throw new Error(
        `events stopped moving with ${next.pending < PENDING_COUNTED ? next.pending : `${PENDING_COUNTED} or more`} still in the outbox (npm run events -- status)`,
      );
    now = next;
    total = await owed.total();
    handled = Math.min(now.consumed - first.consumed, total);
    const published =
      now.pending < PENDING_COUNTED ? String(owed.rows - now.pending) : `at most ${owed.rows - now.pending}`;
    phase.update(handled, total, `(${published}/${owed.rows} events published)`);
  }
  phase.finish();
}

/**
 * The deliveries the phase's outbox rows call for (each event once per consuming queue), counted
 * from the rows after the last one seen, so a poll reads only what was written since; `exact`
 * counts them all again.
 */
class OwedDeliveries {
  rows = 0;
  private deliveries = 0;
  private seen: number;

  constructor(
    private readonly database: FastifyInstance['platform']['database'],
    private readonly start: number,
  ) {
    this.seen = start;
  }

  async total(exact = false): Promise<number> {
    if (exact) {
      this.rows = 0;
      this.deliveries = 0;
      this.seen = this.start;
    }
    const kinds = await queryRows<OutboxKind & { last: number }>(
      this.database.db,
      sql`select exchange, routing_key, count(*)::int as n, max(id)::bigint as last from platform.outbox
          where id > ${this.seen} group by exchange, routing_key`,
    );
    for (const kind of kinds) {
      this.rows += kind.n;
      this.deliveries += kind.n * consumersOf(kind.exchange, kind.routing_key);
      this.seen = Math.max(this.seen, Number(kind.last));
    }
    return this.deliveries;
  }
}

/**
 * On PGlite the consumers run in this process, one promise after another, and a timer may not fire
 * until they are all done: wait by taking turns on the database with them instead, so the bar moves.
 */
async function pause(app: FastifyInstance): Promise<void> {
  const { database } = app.platform;
  if (database.kind !== 'pglite') return sleep(POLL_MS);
  const until = Date.now() + POLL_MS;
  while (Date.now() < until) await database.ping();
}

/** In memory the deliveries run in this process: wait for them. On RabbitMQ, give the broker a moment. */
async function busIdle(app: FastifyInstance): Promise<boolean> {
  const { bus } = app.platform.events;
  if (bus instanceof MemoryEventBus) await bus.idle();
  else await sleep(POLL_MS);
  return true;
}
