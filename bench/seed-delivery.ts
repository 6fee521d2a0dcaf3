import postgres from 'postgres';
import { ALL_MODULES } from '../src/app.js';
import { topicMatches } from '../src/platform/events/topic-pattern.js';
import { queueName } from '../src/platform/module.js';
import { amqpUrl, databaseUrl } from './bench.settings.js';
import { createDatabase, dropDatabase, migrate, runSeed, SeedTimeout } from './bench-database.js';
import { deleteVhost, freshVhost } from './rabbitmq-vhost.js';

const SAMPLE_MS = 500;

export interface QueueRate {
  queue: string;
  /** Deliveries the queue's consumers handled during the seed. */
  handled: number;
  /** Deliveries the outbox called for on this queue (each event once per queue that takes it). */
  expected: number;
  /** Applied per second between 10 % and 90 % of the queue's deliveries (the bulk, not the ends). */
  perSecond: number;
}

export interface SeedDeliveryResult {
  products: number;
  /** From the seed's start to its exit, which waits until every read model is current. */
  totalSeconds: number;
  /** The seed was stopped at the time limit, its read models not all current. */
  timedOut: boolean;
  /** When the seed's progress said the generated products were written, seconds after its start. */
  writtenSeconds: number | null;
  /** From then until the seed's exit: the delivery of the bulk's events. */
  deliverySeconds: number | null;
  /** Events in the outbox at the end, all published. */
  events: number;
  deliveries: number;
  /** Every queue's deliveries after the products were written, over `deliverySeconds`. */
  perSecond: number;
  queues: QueueRate[];
  /** What is not current at the end: a queue behind its outbox, events never published. */
  behind: string[];
}

interface Sample {
  at: number;
  handled: Map<string, number>;
}

/** The time (seconds since start) at which a queue's count crossed `value`, between two samples. */
function crossing(samples: Sample[], queue: string, value: number): number {
  let before = { at: 0, n: 0 };
  for (const sample of samples) {
    const n = sample.handled.get(queue) ?? 0;
    if (n >= value) {
      if (n === before.n) return sample.at;
      return before.at + ((sample.at - before.at) * (value - before.n)) / (n - before.n);
    }
    before = { at: sample.at, n };
  }
  return Number.NaN;
}

function rateOf(samples: Sample[], queue: string, total: number): number {
  if (total === 0) return 0;
  const seconds = crossing(samples, queue, 0.9 * total) - crossing(samples, queue, 0.1 * total);
  return seconds > 0 ? (0.8 * total) / seconds : Number.NaN;
}

/** How many deliveries each queue owes for the events in the outbox (as the seed counts them). */
async function expectedDeliveries(sql: postgres.Sql): Promise<Map<string, number>> {
  const kinds = await sql<{ exchange: string; routing_key: string; n: number }[]>`
    select exchange, routing_key, count(*)::int as n from platform.outbox group by exchange, routing_key`;
  const expected = new Map<string, number>();
  for (const module of ALL_MODULES) {
    for (const consumption of module.consumes) {
      const queue = queueName(module.name, consumption.exchange);
      const n = kinds
        .filter(
          (kind) =>
            kind.exchange === consumption.exchange &&
            consumption.patterns.some((pattern) => topicMatches(pattern, kind.routing_key)),
        )
        .reduce((sum, kind) => sum + kind.n, 0);
      expected.set(queue, (expected.get(queue) ?? 0) + n);
    }
  }
  return expected;
}

/**
 * `npm run seed -- --products N` as an operator runs it on PostgreSQL + RabbitMQ, waiting for every
 * read model: a fresh database and vhost, the seed's own process applying its events, and
 * `platform.consumed_counts` (which the consumers add to once a second) sampled meanwhile, to tell
 * how fast each queue applied its share.
 */
export async function measureSeedDelivery(
  database: string,
  vhost: string,
  products: number,
  timeoutSeconds: number,
  log: (line: string) => void,
): Promise<SeedDeliveryResult> {
  const url = databaseUrl(database);
  await dropDatabase(database);
  await createDatabase(database);
  await freshVhost(vhost);
  const sql = postgres(url, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const samples: Sample[] = [];
  let sampler: NodeJS.Timeout | undefined;
  try {
    await migrate(url);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const sample = async () => {
      const rows = await sql<
        { queue: string; handled: string }[]
      >`select queue, handled from platform.consumed_counts`;
      samples.push({ at: seconds(), handled: new Map(rows.map((row) => [row.queue, Number(row.handled)])) });
    };
    sampler = setInterval(() => void sample().catch(() => {}), SAMPLE_MS);
    let writtenSeconds: number | null = null;
    let timedOut = false;
    await runSeed(url, products, log, {
      wait: true,
      amqpUrl: amqpUrl(vhost),
      onLine: (line) => {
        if (/^generated products: .* done$/.test(line)) writtenSeconds = seconds();
      },
      timeoutMs: timeoutSeconds * 1000,
    }).catch((error: unknown) => {
      if (!(error instanceof SeedTimeout)) throw error;
      log(error.message);
      timedOut = true;
    });
    const totalSeconds = seconds();
    clearInterval(sampler);
    await sample();
    const expected = await expectedDeliveries(sql);
    const [outbox] = await sql<{ events: number; unpublished: number }[]>`
      select count(*)::int as events, count(*) filter (where published_at is null)::int as unpublished
      from platform.outbox`;
    const last = samples.at(-1)!.handled;
    const queues = [...expected.entries()].map(([queue, owed]) => {
      const handled = last.get(queue) ?? 0;
      return { queue, handled, expected: owed, perSecond: rateOf(samples, queue, handled) };
    });
    const behind = queues
      .filter((queue) => queue.handled < queue.expected)
      .map((queue) => `${queue.queue} handled ${queue.handled} of ${queue.expected}`);
    if (outbox!.unpublished > 0) behind.push(`${outbox!.unpublished} events never published`);
    if (timedOut) behind.unshift(`stopped after ${timeoutSeconds} s`);
    const deliveries = queues.reduce((sum, queue) => sum + queue.handled, 0);
    const sum = (sample: Sample | undefined) =>
      [...(sample?.handled.values() ?? [])].reduce((a, b) => a + b, 0);
    const written = writtenSeconds as number | null;
    const beforeBulk = written === null ? undefined : samples.filter((entry) => entry.at <= written).at(-1);
    const deliverySeconds = written === null ? null : totalSeconds - written;
    const perSecond =
      deliverySeconds === null ? Number.NaN : (deliveries - sum(beforeBulk)) / deliverySeconds;
    log(
      `seed with delivery: ${products} products, ${behind.length === 0 ? 'every read model current' : `NOT current (${behind.join('; ')})`} after ${totalSeconds.toFixed(1)} s`,
    );
    return {
      products,
      totalSeconds,
      timedOut,
      writtenSeconds,
      deliverySeconds,
      events: outbox!.events,
      deliveries,
      perSecond,
      queues,
      behind,
    };
  } finally {
    clearInterval(sampler);
    await sql.end({ timeout: 5 });
    await dropDatabase(database);
    await deleteVhost(vhost).catch(() => {});
  }
}
