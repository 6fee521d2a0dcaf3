import type { SagaRateOptions } from './saga-rate.js';

/** What a bench run is made of; `npm run bench` and the smoke differ only in these numbers. */
export interface BenchSettings {
  /** The PostgreSQL database the catalog lives in (created, migrated and seeded when missing). */
  database: string;
  products: number;
  /** Dropped at the end (the smoke's throwaway database). */
  dropDatabaseAfter: boolean;
  connections: number;
  warmupSeconds: number;
  runSeconds: number;
  /** Interleaved rounds per scenario: ceiling, app, ceiling, app… */
  rounds: number;
  checkoutSeconds: number;
  /** Of `connections`, how many post orders during checkout; the rest browse. */
  checkoutPosters: number;
  checkoutUsers: number;
  /** Products of the seed measured with its event delivery on RabbitMQ (none skips it). */
  seedProducts: number;
  /** The seed is stopped past this and reported as not current (it must not eat the whole run). */
  seedTimeoutSeconds: number;
  /** The saga's rate search, on each bus after its checkout run. */
  sagaRate: SagaRateOptions;
  relayMessages: number;
  relayRounds: number;
  /** RabbitMQ vhost of the second pass and of the relay measurement; none skips both. */
  vhost: string | undefined;
  resultsFile: string;
  chartFile: string;
  /** The measurements as data, from which `--render` writes the report again. */
  dataFile: string;
  /** Hand-written reading of the numbers, appended to the report when present. */
  analysisFile: string | undefined;
  ports: { ceiling: number; app: number };
}

const env = process.env;

export const POSTGRES_ADMIN_URL = env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const AMQP_BASE_URL = env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const RABBITMQ_API_URL = env.BENCH_RABBITMQ_API_URL ?? 'http://guest:guest@127.0.0.1:15672/api';

export function databaseUrl(database: string): string {
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

export function amqpUrl(vhost: string): string {
  return `${AMQP_BASE_URL.replace(/\/+$/, '')}/${encodeURIComponent(vhost)}`;
}

export const fullRun: BenchSettings = {
  database: env.BENCH_DATABASE ?? 'mascotas_bench',
  products: Number(env.BENCH_PRODUCTS ?? 100_000),
  dropDatabaseAfter: false,
  connections: 50,
  warmupSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 4),
  runSeconds: Number(env.BENCH_RUN_SECONDS ?? 12),
  rounds: 2,
  checkoutSeconds: Number(env.BENCH_CHECKOUT_SECONDS ?? 15),
  checkoutPosters: 10,
  checkoutUsers: 20,
  seedProducts: Number(env.BENCH_SEED_PRODUCTS ?? 100_000),
  seedTimeoutSeconds: Number(env.BENCH_SEED_TIMEOUT_SECONDS ?? 600),
  sagaRate: {
    boundMs: 1000,
    stepSeconds: Number(env.BENCH_SAGA_STEP_SECONDS ?? 8),
    factor: 1.5,
    maxSteps: 12,
    refineSteps: 2,
    postConnections: 10,
    postSeconds: 5,
  },
  relayMessages: Number(env.BENCH_RELAY_MESSAGES ?? 20_000),
  relayRounds: 2,
  vhost: env.BENCH_VHOST ?? 'mascotas_bench',
  resultsFile: 'bench/RESULTS.md',
  chartFile: 'bench/results.svg',
  dataFile: 'bench/results.json',
  analysisFile: 'bench/analysis.md',
  ports: { ceiling: 3901, app: 3902 },
};
