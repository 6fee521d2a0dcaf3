import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, relative } from 'node:path';
import postgres from 'postgres';
import { amqpUrl, type BenchSettings } from './bench.settings.js';
import { dropDatabase, prepareDatabase } from './bench-database.js';
import { type BenchReport, renderChart, renderMarkdown, type ScenarioReport } from './bench-report.js';
import { assertSameJson, catalogScenarios, pickTargets } from './catalog-scenarios.js';
import { BENCH_ADMIN, type CheckoutResult, prepareCheckout, runCheckout } from './checkout-saga.js';
import { fire, load } from './load.js';
import { freshVhost } from './rabbitmq-vhost.js';
import { measureRelay } from './relay-throughput.js';
import { type SagaRateResult, searchSagaRate } from './saga-rate.js';
import { measureSeedDelivery, type SeedDeliveryResult } from './seed-delivery.js';
import { ServerProcess } from './server-process.js';

/** A fresh secret per run: a production start refuses any value published in the repository. */
const JWT_SECRET = randomBytes(48).toString('base64');
const OUTBOX_BATCH_SIZE = 200;

export function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function commitDescription(): string {
  const head = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src', 'drizzle']) !== '';
  return dirty ? `${head} (with uncommitted changes in src/ or drizzle/)` : head;
}

async function postgresVersion(url: string): Promise<string> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select version() as v`;
    return String(row!.v).split(' on ')[0]!;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function build(): void {
  log('building the app (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function appEnv(databaseUrl: string, amqp: string | undefined): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    JWT_SECRET,
    RATE_LIMIT_MAX: '0',
    DATABASE_URL: databaseUrl,
    DATA_DIR: 'bench/.cache/data',
    MODULES: 'all',
    ADMIN_EMAIL: BENCH_ADMIN.email,
    ADMIN_PASSWORD: BENCH_ADMIN.password,
    ADMIN_USERNAME: BENCH_ADMIN.username,
    OUTBOX_BATCH_SIZE: String(OUTBOX_BATCH_SIZE),
    // The catalogue is reused from run to run, and so are the checkout's orders: unpaid, they would
    // be cancelled an hour later by the payment timeout, in the middle of a later run, whose stock
    // accounting (and load) the thousands of releases would then disturb.
    ORDER_PAYMENT_WINDOW_MINUTES: '0',
    AMQP_URL: amqp ?? '',
  };
}

/** `npm start`'s arguments to node: the bench starts the app exactly as production does. */
export function productionNodeArgs(): string[] {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const [command, ...args] = (scripts.start ?? '').trim().split(/\s+/);
  if (command !== 'node' || args.at(-1) !== 'dist/server.js') {
    throw new Error(`npm start is not "node [flags] dist/server.js": ${scripts.start}`);
  }
  return args;
}

/** The Node flags of `npm start`, for the ceiling too, so that both run on the same heap settings. */
const nodeFlags = () => productionNodeArgs().slice(0, -1);

export function startApp(
  name: string,
  databaseUrl: string,
  port: number,
  amqp?: string,
): Promise<ServerProcess> {
  return ServerProcess.start({
    name,
    args: productionNodeArgs(),
    env: appEnv(databaseUrl, amqp),
    port,
    readyPath: '/health/ready',
  });
}

function startCeiling(databaseUrl: string, port: number): Promise<ServerProcess> {
  return ServerProcess.start({
    name: 'ceiling',
    args: [...nodeFlags(), '--import', 'tsx', 'bench/ceiling-server.ts'],
    env: { DATABASE_URL: databaseUrl, NODE_ENV: 'production' },
    port,
    readyPath: '/health/ready',
  });
}

/** Runs the whole bench and writes the report; returns it for the caller to check. */
export async function runHarness(settings: BenchSettings, title: string): Promise<BenchReport> {
  const started = performance.now();
  const loadBefore = loadavg();
  const prepared = await prepareDatabase(settings.database, settings.products, log);
  const targets = await pickTargets(prepared.url);
  const scenarios = catalogScenarios(targets);
  const servers: ServerProcess[] = [];
  const notes: string[] = [];
  try {
    log('starting the ceiling and the app (in-memory bus)');
    const ceiling = await startCeiling(prepared.url, settings.ports.ceiling);
    servers.push(ceiling);
    const app = await startApp('app-memory', prepared.url, settings.ports.app);
    servers.push(app);
    const readiness: BenchReport['readiness'] = {
      app: [{ bus: 'in-memory', ms: app.readyMs }],
      ceilingMs: ceiling.readyMs,
    };
    await assertSameJson(
      ceiling.baseUrl,
      app.baseUrl,
      scenarios.flatMap((scenario) => scenario.samples),
    );
    log('the ceiling and the app answer the same JSON');

    const reports: ScenarioReport[] = [];
    for (const scenario of scenarios) {
      const options = { connections: settings.connections, requests: scenario.requests };
      log(`${scenario.key}: warm-up`);
      await fire(ceiling.baseUrl, { ...options, seconds: settings.warmupSeconds });
      await fire(app.baseUrl, { ...options, seconds: settings.warmupSeconds });
      const report: ScenarioReport = { ...scenario, ceiling: [], app: [] };
      for (let round = 0; round < settings.rounds; round++) {
        report.ceiling.push(await load(ceiling, { ...options, seconds: settings.runSeconds }));
        report.app.push(await load(app, { ...options, seconds: settings.runSeconds }));
        const [c, a] = [report.ceiling.at(-1)!, report.app.at(-1)!];
        log(
          `${scenario.key} round ${round + 1}: ceiling ${c.requestsPerSecond.toFixed(0)} req/s p99 ${c.p99} ms; app ${a.requestsPerSecond.toFixed(0)} req/s p99 ${a.p99} ms, ${a.peakRssMb.toFixed(0)} MB`,
        );
      }
      reports.push(report);
    }
    await ceiling.stop();

    const browsePaths = scenarios
      .filter((scenario) => scenario.key !== 'detail')
      .flatMap((scenario) => scenario.samples);
    const checkoutOptions = {
      seconds: settings.checkoutSeconds,
      posters: settings.checkoutPosters,
      browsers: settings.connections - settings.checkoutPosters,
      browsePaths,
      productIds: targets.productIds,
    };
    const checkout: CheckoutResult[] = [];
    log('checkout on the in-memory bus');
    let setup = await prepareCheckout(app, prepared.url, settings.checkoutUsers);
    checkout.push(await runCheckout(app, prepared.url, 'in-memory', setup, checkoutOptions));
    const appHighWaterMb = app.highWaterMark();
    // A search or the seed that fails costs its own figures, not the rest of the run's.
    const attempt = async <T>(what: string, run: () => Promise<T>): Promise<T | null> => {
      try {
        return await run();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        log(`${what} failed: ${reason}`);
        notes.push(`**${what}: failed** (${reason})`);
        return null;
      }
    };
    const sagaRate: SagaRateResult[] = [];
    const searchRate = async (server: ServerProcess, bus: string) => {
      log(`saga rate search on the ${bus} bus`);
      const found = await attempt(`Saga rate search (${bus})`, () =>
        searchSagaRate(server, prepared.url, bus, setup, settings.sagaRate),
      );
      if (found) sagaRate.push(found);
    };
    await searchRate(app, 'in-memory');
    await app.stop();

    let relay: BenchReport['relay'] = null;
    let seedDelivery: SeedDeliveryResult | null = null;
    if (settings.vhost) {
      const amqp = amqpUrl(settings.vhost);
      await freshVhost(settings.vhost);
      log('checkout on RabbitMQ');
      // The first start on the fresh vhost declares every exchange and quorum queue; the
      // start measured is the next one, as a deployment restarts: topology already there.
      const declaring = await startApp('app-rabbitmq-first', prepared.url, settings.ports.app, amqp);
      servers.push(declaring);
      await declaring.stop();
      readiness.app.push({ bus: 'RabbitMQ, first start declaring the topology', ms: declaring.readyMs });
      const rabbitApp = await startApp('app-rabbitmq', prepared.url, settings.ports.app, amqp);
      servers.push(rabbitApp);
      readiness.app.push({ bus: 'RabbitMQ', ms: rabbitApp.readyMs });
      setup = await prepareCheckout(rabbitApp, prepared.url, settings.checkoutUsers);
      checkout.push(await runCheckout(rabbitApp, prepared.url, 'RabbitMQ', setup, checkoutOptions));
      await searchRate(rabbitApp, 'RabbitMQ');
      await rabbitApp.stop();
      log('outbox relay against raw amqplib');
      relay = await measureRelay(
        prepared.url,
        amqp,
        settings.relayMessages,
        settings.relayRounds,
        OUTBOX_BATCH_SIZE,
      );
      if (settings.seedProducts > 0) {
        log(`seed of ${settings.seedProducts} products with delivery on RabbitMQ`);
        seedDelivery = await attempt('Seed with delivery', () =>
          measureSeedDelivery(
            `${settings.database}_seed`,
            `${settings.vhost}_seed`,
            settings.seedProducts,
            settings.seedTimeoutSeconds,
            log,
          ),
        );
      }
    } else {
      notes.push('RabbitMQ: not measured (no vhost configured)');
    }
    for (const run of sagaRate) {
      log(
        `saga ${run.bus}: ${run.sustained ? run.sustained.confirmedPerSecond.toFixed(0) : 'no'} confirmed orders/s within p99 ${run.boundMs} ms; POST-only ${run.postOnly.requestsPerSecond.toFixed(0)} req/s`,
      );
    }
    for (const run of checkout) {
      log(
        `checkout ${run.bus}: ${run.orders.placed} orders, POST p99 ${run.post.p99} ms, to confirmed p99 ${run.toConfirmed.p99} ms`,
      );
    }
    const loadAfter = loadavg();
    if (loadBefore[0]! > cpus().length * 0.25) {
      notes.push(
        `**Ran under load**: the 1-minute load average was ${loadBefore[0]!.toFixed(2)} on ${cpus().length} cores before the bench started (other work on the machine); absolute numbers are lower and noisier than on an idle machine, the app/ceiling ratios less so since both were measured interleaved`,
      );
    }
    const report: BenchReport = {
      title,
      date: new Date().toISOString(),
      commit: commitDescription(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: totalmem() / 2 ** 30,
        node: process.versions.node,
        postgres: await postgresVersion(prepared.url),
        loadBefore,
        loadAfter,
      },
      durationSeconds: (performance.now() - started) / 1000,
      settings: {
        connections: settings.connections,
        warmupSeconds: settings.warmupSeconds,
        runSeconds: settings.runSeconds,
        rounds: settings.rounds,
        products: settings.products,
      },
      database: { name: settings.database, ...prepared },
      targets,
      scenarios: reports,
      readiness,
      appHighWaterMb,
      nodeArgs: productionNodeArgs(),
      checkout,
      sagaRate,
      relay,
      seedDelivery,
      notes,
    };
    writeReport(report, settings);
    return report;
  } finally {
    await Promise.allSettled(servers.map((server) => server.stop()));
    if (settings.dropDatabaseAfter) await dropDatabase(settings.database);
  }
}

export function writeReport(report: BenchReport, settings: BenchSettings): void {
  mkdirSync(dirname(settings.resultsFile), { recursive: true });
  writeFileSync(settings.dataFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(settings.chartFile, renderChart(report));
  const chart = relative(dirname(settings.resultsFile), settings.chartFile);
  const analysis =
    settings.analysisFile && existsSync(settings.analysisFile)
      ? readFileSync(settings.analysisFile, 'utf8')
      : null;
  writeFileSync(settings.resultsFile, renderMarkdown(report, chart, analysis));
  log(`wrote ${settings.resultsFile}, ${settings.chartFile} and ${settings.dataFile}`);
}
