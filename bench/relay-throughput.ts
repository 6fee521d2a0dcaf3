import { connect } from 'amqplib';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { openDatabase, queryRows } from '../src/platform/db/database.js';
import { createEnvelope, type EventEnvelope } from '../src/platform/events/envelope.js';
import { recordEvents } from '../src/platform/events/outbox.js';
import { OutboxRelay } from '../src/platform/events/outbox-relay.js';
import { RabbitEventBus } from '../src/platform/events/rabbitmq-bus.js';

const EXCHANGE = 'bench_events';
const ROUTING_KEY = 'bench.measured';
const QUEUE = 'bench.bench_events';

export interface RelayRound {
  relayPerSecond: number;
  rawPerSecond: number;
}

export interface RelayResult {
  messages: number;
  rounds: RelayRound[];
  relayPerSecond: number;
  rawPerSecond: number;
}

function messages(count: number): EventEnvelope[] {
  return Array.from({ length: count }, (_, index) =>
    createEnvelope(ROUTING_KEY, 1, {
      sequence: index,
      product_id: index + 1,
      name: `Item ${index}`,
      price: '9.99',
    }),
  );
}

/** Raw amqplib: a confirm channel, every message published at once (respecting drain), all confirms awaited. */
async function rawPublish(amqpUrl: string, batch: EventEnvelope[]): Promise<number> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const started = performance.now();
    for (const message of batch) {
      const written = channel.publish(EXCHANGE, ROUTING_KEY, Buffer.from(JSON.stringify(message)), {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: message.event_id,
        type: message.event,
        timestamp: Math.floor(Date.now() / 1000),
      });
      if (!written) await new Promise((resolve) => channel.once('drain', resolve));
    }
    await channel.waitForConfirms();
    const seconds = (performance.now() - started) / 1000;
    await channel.purgeQueue(QUEUE);
    await channel.close();
    return batch.length / seconds;
  } finally {
    await connection.close();
  }
}

/** The app's OutboxRelay with the RabbitEventBus, publishing `batch` from the outbox table. */
async function relayPublish(
  databaseUrl: string,
  amqpUrl: string,
  batch: EventEnvelope[],
  batchSize: number,
): Promise<number> {
  const logger = pino({ level: 'warn' });
  const database = await openDatabase({ url: databaseUrl, dataDir: '.data', poolSize: 10 });
  const bus = new RabbitEventBus({ url: amqpUrl, maxAttempts: 5, retryDelayMs: 200, prefetch: 10, logger });
  try {
    await bus.declare([EXCHANGE], [{ queue: QUEUE, exchange: EXCHANGE, patterns: ['bench.#'] }]);
    await bus.start();
    await database.db.execute(sql`delete from platform.outbox where exchange = ${EXCHANGE}`);
    // Fresh event ids: the outbox holds each event once; the content is the raw run's.
    const rows = batch.map((message) => ({ ...message, event_id: crypto.randomUUID() }));
    for (let start = 0; start < rows.length; start += 1000) {
      await database.transaction(async (tx) => {
        const slice = rows.slice(start, start + 1000);
        await recordEvents(
          tx,
          slice.map((message) => ({
            exchange: EXCHANGE,
            routingKey: ROUTING_KEY,
            version: 1,
            payload: message,
          })),
        );
      });
    }
    const relay = new OutboxRelay(database, bus, {
      exchanges: [EXCHANGE],
      batchSize,
      pollMs: 500,
      onError: (error) => logger.warn({ err: error }, 'relay error'),
    });
    const started = performance.now();
    await relay.flush();
    const seconds = (performance.now() - started) / 1000;
    await relay.stop();
    const [left] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from platform.outbox where exchange = ${EXCHANGE} and published_at is null`,
    );
    if (left && left.n > 0) throw new Error(`the relay left ${left.n} outbox rows unpublished`);
    await database.db.execute(sql`delete from platform.outbox where exchange = ${EXCHANGE}`);
    return rows.length / seconds;
  } finally {
    await bus.close();
    await database.close();
  }
}

/** Purges what the relay published, so the queue does not grow from run to run. */
async function purge(amqpUrl: string): Promise<void> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    await channel.purgeQueue(QUEUE);
    await channel.close();
  } finally {
    await connection.close();
  }
}

/** Interleaved rounds of raw amqplib and the relay over the same messages. */
export async function measureRelay(
  databaseUrl: string,
  amqpUrl: string,
  count: number,
  rounds: number,
  batchSize: number,
): Promise<RelayResult> {
  const batch = messages(count);
  const results: RelayRound[] = [];
  // The relay's first round declares the exchange and queue the raw publisher needs.
  await relayPublish(databaseUrl, amqpUrl, batch.slice(0, 100), batchSize);
  await purge(amqpUrl);
  for (let round = 0; round < rounds; round++) {
    const rawPerSecond = await rawPublish(amqpUrl, batch);
    const relayPerSecond = await relayPublish(databaseUrl, amqpUrl, batch, batchSize);
    await purge(amqpUrl);
    results.push({ rawPerSecond, relayPerSecond });
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    messages: count,
    rounds: results,
    relayPerSecond: mean(results.map((round) => round.relayPerSecond)),
    rawPerSecond: mean(results.map((round) => round.rawPerSecond)),
  };
}
