import type { CatalogTargets } from './catalog-scenarios.js';
import type { CheckoutResult } from './checkout-saga.js';
import type { LoadResult } from './load.js';
import type { RelayResult } from './relay-throughput.js';
import {
  CHECKOUT_RATIO_TARGET,
  sagaSection,
  sagaTargets,
  seedSection,
  seedTargets,
} from './report-events.js';
import type { SagaRateResult } from './saga-rate.js';
import type { SeedDeliveryResult } from './seed-delivery.js';

export interface ScenarioReport {
  key: string;
  title: string;
  description: string;
  minThroughputRatio: number;
  maxP99Ratio: number | null;
  ceiling: LoadResult[];
  app: LoadResult[];
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  loadBefore: number[];
  loadAfter: number[];
}

export interface BenchReport {
  title: string;
  date: string;
  commit: string;
  machine: Machine;
  durationSeconds: number;
  settings: {
    connections: number;
    warmupSeconds: number;
    runSeconds: number;
    rounds: number;
    products: number;
  };
  database: { name: string; reused: boolean; seedSeconds: number | null; liveProducts: number };
  targets: CatalogTargets;
  scenarios: ScenarioReport[];
  readiness: { app: { bus: string; ms: number }[]; ceilingMs: number };
  appHighWaterMb: number;
  /** How the app and the ceiling were started: `npm start`'s Node flags. */
  nodeArgs?: string[];
  checkout: CheckoutResult[];
  /** Absent from runs before the saga's rate search. */
  sagaRate?: SagaRateResult[];
  relay: RelayResult | null;
  /** Absent from runs before the seed was measured with its delivery. */
  seedDelivery?: SeedDeliveryResult | null;
  notes: string[];
}

export interface Aggregate {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  peakRssMb: number;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

/** Throughput and latency as the mean of the rounds; errors summed; memory the highest seen. */
export function aggregate(runs: LoadResult[]): Aggregate {
  return {
    requestsPerSecond: mean(runs.map((run) => run.requestsPerSecond)),
    p50: mean(runs.map((run) => run.p50)),
    p99: mean(runs.map((run) => run.p99)),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    peakRssMb: Math.max(0, ...runs.map((run) => run.peakRssMb)),
  };
}

/** Issue 19: the app's peak resident set under the catalog load. */
const PEAK_RSS_TARGET_MB = 160;

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function targetChecks(report: BenchReport): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const scenario of report.scenarios) {
    const ceiling = aggregate(scenario.ceiling);
    const app = aggregate(scenario.app);
    const throughput = app.requestsPerSecond / ceiling.requestsPerSecond;
    checks.push({
      name: `${scenario.title}: req/s app/ceiling`,
      target: `>= ${scenario.minThroughputRatio}`,
      measured: fixed(throughput),
      met: throughput >= scenario.minThroughputRatio,
    });
    if (scenario.maxP99Ratio !== null) {
      const latency = app.p99 / ceiling.p99;
      checks.push({
        name: `${scenario.title}: p99 app/ceiling`,
        target: `<= ${scenario.maxP99Ratio}`,
        measured: fixed(latency),
        met: latency <= scenario.maxP99Ratio,
      });
    }
    checks.push({
      name: `${scenario.title}: errors`,
      target: '0',
      measured: String(app.errors + ceiling.errors),
      met: app.errors + ceiling.errors === 0,
    });
  }
  for (const run of report.checkout) {
    const ratio = run.toConfirmed.p99 / run.post.p99;
    checks.push({
      name: `Checkout (${run.bus}): p99 POST→confirmed / p99 POST`,
      target: `<= ${CHECKOUT_RATIO_TARGET}`,
      measured: `${fixed(ratio)} (${fixed(run.toConfirmed.p99, 0)} / ${fixed(run.post.p99, 0)} ms)`,
      met: ratio <= CHECKOUT_RATIO_TARGET,
    });
    const errors = run.post.errors + run.browse.errors + run.orders.undecided;
    checks.push({
      name: `Checkout (${run.bus}): errors, undecided orders`,
      target: '0',
      measured: String(errors),
      met: errors === 0 && run.orders.placed > 0,
    });
    checks.push({
      name: `Checkout (${run.bus}): oversell`,
      target: 'none',
      measured: run.oversold.length === 0 ? 'none' : run.oversold.join('; '),
      met: run.oversold.length === 0,
    });
  }
  checks.push(...sagaTargets(report.sagaRate));
  checks.push(...seedTargets(report.seedDelivery));
  if (report.relay) {
    const ratio = report.relay.relayPerSecond / report.relay.rawPerSecond;
    checks.push({
      name: 'Outbox relay / raw amqplib (msg/s)',
      target: '>= 0.5',
      measured: `${fixed(ratio)} (${fixed(report.relay.relayPerSecond, 0)} / ${fixed(report.relay.rawPerSecond, 0)})`,
      met: ratio >= 0.5,
    });
  }
  const catalogPeak = Math.max(0, ...report.scenarios.map((scenario) => aggregate(scenario.app).peakRssMb));
  checks.push({
    name: 'App peak RSS under catalog load',
    target: `<= ${PEAK_RSS_TARGET_MB} MB`,
    measured: `${fixed(catalogPeak, 0)} MB`,
    met: catalogPeak > 0 && catalogPeak <= PEAK_RSS_TARGET_MB,
  });
  for (const start of report.readiness.app.filter((entry) => !entry.bus.includes('first start'))) {
    checks.push({
      name: `App start to /health/ready (${start.bus}, migrations applied)`,
      target: '<= 2 s',
      measured: `${fixed(start.ms / 1000)} s`,
      met: start.ms <= 2000,
    });
  }
  return checks;
}

function scenarioTable(scenario: ScenarioReport): string[] {
  const ceiling = aggregate(scenario.ceiling);
  const app = aggregate(scenario.app);
  const row = (name: string, value: Aggregate) =>
    `| ${name} | ${fixed(value.requestsPerSecond, 0)} | ${fixed(value.p50, 1)} | ${fixed(value.p99, 1)} | ${value.errors} | ${fixed(value.peakRssMb, 0)} |`;
  const rounds = (runs: LoadResult[]) =>
    runs.map((run) => `${fixed(run.requestsPerSecond, 0)} (p99 ${run.p99})`).join(', ');
  return [
    `### ${scenario.title}`,
    '',
    scenario.description,
    '',
    '| server | req/s | p50 ms | p99 ms | errors | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    row('ceiling', ceiling),
    row('app', app),
    `| **app / ceiling** | **${fixed(app.requestsPerSecond / ceiling.requestsPerSecond)}** | ${fixed(app.p50 / ceiling.p50)} | **${fixed(app.p99 / ceiling.p99)}** | | ${fixed(app.peakRssMb / ceiling.peakRssMb)} |`,
    '',
    `Rounds (req/s): ceiling ${rounds(scenario.ceiling)}; app ${rounds(scenario.app)}.`,
    '',
  ];
}

function checkoutTable(runs: CheckoutResult[]): string[] {
  if (runs.length === 0) return [];
  const lines = [
    '## Checkout saga under load',
    '',
    'Shoppers (registered and logged in through the API) post `POST /api/orders` (one line, 1–3 units of one of 16 products, 4 of them with only 30 units) while the other connections browse (half product details, half listing pages). Every order of the run is then read back: its `status_history` gives the time `confirmed` was written, compared with the moment the client sent the POST.',
    '',
    '| bus | POST req/s | POST p50 ms | POST p99 ms | browse req/s | browse p99 ms | orders | confirmed | rejected (no stock) | undecided | POST→confirmed p50 ms | POST→confirmed p99 ms | saga alone p99 ms | errors | oversell | peak RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const run of runs) {
    lines.push(
      `| ${run.bus} | ${fixed(run.post.requestsPerSecond, 0)} | ${fixed(run.post.p50, 1)} | ${fixed(run.post.p99, 1)} | ${fixed(run.browse.requestsPerSecond, 0)} | ${fixed(run.browse.p99, 1)} | ${run.orders.placed} | ${run.orders.confirmed} | ${run.orders.rejected} | ${run.orders.undecided} | ${fixed(run.toConfirmed.p50, 0)} | ${fixed(run.toConfirmed.p99, 0)} | ${fixed(run.sagaOnly.p99, 0)} | ${run.post.errors + run.browse.errors} | ${run.oversold.length === 0 ? 'none' : run.oversold.length} | ${fixed(run.peakRssMb, 0)} |`,
    );
  }
  return [...lines, ''];
}

function relayTable(relay: RelayResult | null): string[] {
  if (!relay) return ['## Outbox relay', '', 'Not measured: no RabbitMQ vhost.', ''];
  return [
    '## Outbox relay to RabbitMQ',
    '',
    `${relay.messages} messages of one exchange (bound to one quorum queue), persistent, mandatory, with publisher confirms. Raw: amqplib on a confirm channel, all published at once, then \`waitForConfirms\`. Relay: the rows inserted into \`platform.outbox\`, then the app's \`OutboxRelay\` with the \`RabbitEventBus\` until every row is marked published (claim, publish, confirm, mark).`,
    '',
    '| round | raw amqplib msg/s | OutboxRelay msg/s | relay / raw |',
    '| ---: | ---: | ---: | ---: |',
    ...relay.rounds.map(
      (round, index) =>
        `| ${index + 1} | ${fixed(round.rawPerSecond, 0)} | ${fixed(round.relayPerSecond, 0)} | ${fixed(round.relayPerSecond / round.rawPerSecond)} |`,
    ),
    `| mean | ${fixed(relay.rawPerSecond, 0)} | ${fixed(relay.relayPerSecond, 0)} | **${fixed(relay.relayPerSecond / relay.rawPerSecond)}** |`,
    '',
  ];
}

export function renderMarkdown(
  report: BenchReport,
  chartFile: string | null,
  analysis: string | null = null,
): string {
  const checks = targetChecks(report);
  const { machine, settings, database, targets } = report;
  const unmet = checks.filter((check) => !check.met);
  return [
    `# ${report.title}`,
    '',
    `- Date: ${report.date} (the whole run took ${fixed(report.durationSeconds, 0)} s)`,
    `- Commit: \`${report.commit}\``,
    `- Machine: ${machine.cpu}, ${machine.cores} cores, ${fixed(machine.memoryGiB, 1)} GiB; Node ${machine.node}; ${machine.postgres}`,
    `- Load average (1, 5, 15 min) before: ${machine.loadBefore.map((value) => fixed(value)).join(', ')}; after: ${machine.loadAfter.map((value) => fixed(value)).join(', ')}`,
    `- Catalog: ${database.liveProducts} live products in \`${database.name}\` (${database.reused ? 'reused' : `seeded in ${fixed(database.seedSeconds ?? 0, 0)} s`}); filter category "${targets.category.name}" (${targets.category.subcategories} sub-categories, ${targets.category.products} products), animal type \`${targets.animalType}\`, search \`${targets.searchTerm}\` (${targets.searchMatches} matches)`,
    `- Load: autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up per server and scenario, then ${settings.rounds} interleaved rounds (ceiling, app, ceiling, app) of ${settings.runSeconds} s; req/s, p50 and p99 are the means of the rounds, peak RSS the highest \`VmRSS\` sampled every 50 ms`,
    '- Ceiling: `bench/ceiling-server.ts`, the least work for the same JSON: Fastify without hooks + postgres.js (plain prepared SQL, category tree held in memory, page and count pipelined on one of 10 single-connection clients, the count tally), answering byte-identical JSON (checked before the runs)',
    `- App: \`node ${(report.nodeArgs ?? ['dist/server.js']).join(' ')}\` (\`npm start\`; the ceiling runs with the same Node flags), \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`, \`RATE_LIMIT_MAX=0\`, every module, PostgreSQL, in-memory bus (RabbitMQ in the second checkout pass)`,
    ...report.notes.map((note) => `- ${note}`),
    '',
    ...(chartFile ? [`![req/s and p99 per scenario, app beside ceiling](${chartFile})`, ''] : []),
    '## Targets',
    '',
    '| target | wanted | measured | met |',
    '| --- | --- | --- | :---: |',
    ...checks.map(
      (check) => `| ${check.name} | ${check.target} | ${check.measured} | ${check.met ? 'yes' : '**no**'} |`,
    ),
    '',
    unmet.length === 0
      ? 'Every target is met in this run.'
      : `Not met in this run: ${unmet.map((check) => check.name).join('; ')}.`,
    '',
    '## Catalog',
    '',
    ...report.scenarios.flatMap(scenarioTable),
    ...checkoutTable(report.checkout),
    ...sagaSection(report.sagaRate),
    ...relayTable(report.relay),
    ...seedSection(report.seedDelivery),
    '## Start-up',
    '',
    '| server | spawn to `/health/ready` 200 |',
    '| --- | ---: |',
    ...report.readiness.app.map((start) =>
      start.bus.includes('first start')
        ? `| app (RabbitMQ bus, first start on the fresh vhost: declares every exchange and quorum queue) | ${fixed(start.ms, 0)} ms |`
        : `| app (${start.bus} bus, migrations already applied) | ${fixed(start.ms, 0)} ms |`,
    ),
    `| ceiling | ${fixed(report.readiness.ceilingMs, 0)} ms |`,
    '',
    `The app's \`VmHWM\` (resident high-water mark over its whole life, catalog runs and checkout on the in-memory bus): ${fixed(report.appHighWaterMb, 0)} MB.`,
    '',
    ...(analysis ? [analysis.trim(), ''] : []),
  ].join('\n');
}

/** Grouped bars, app beside ceiling: req/s per scenario on the left, p99 on the right. */
export function renderChart(report: BenchReport): string {
  const rows = report.scenarios.map((scenario) => ({
    title: scenario.title,
    ceiling: aggregate(scenario.ceiling),
    app: aggregate(scenario.app),
  }));
  const width = 960;
  const height = 420;
  const panel = { top: 60, bottom: 330, width: 420 };
  const colors = { ceiling: '#9aa5b1', app: '#2f6fb2' };
  const parts: string[] = [];
  const drawPanel = (left: number, title: string, value: (a: Aggregate) => number, unit: string) => {
    const max = Math.max(1, ...rows.flatMap((row) => [value(row.ceiling), value(row.app)])) * 1.15;
    const scale = (v: number) => ((panel.bottom - panel.top) * v) / max;
    const group = panel.width / rows.length;
    parts.push(
      `<text x="${left + panel.width / 2}" y="40" text-anchor="middle" font-size="16" font-weight="bold">${title}</text>`,
    );
    parts.push(
      `<line x1="${left}" y1="${panel.bottom}" x2="${left + panel.width}" y2="${panel.bottom}" stroke="#333"/>`,
    );
    rows.forEach((row, index) => {
      const x = left + index * group + group * 0.15;
      const bar = group * 0.33;
      for (const [offset, server] of [
        [0, 'ceiling'],
        [1, 'app'],
      ] as const) {
        const v = value(row[server]);
        const h = scale(v);
        const bx = x + offset * (bar + 2);
        parts.push(
          `<rect x="${bx.toFixed(1)}" y="${(panel.bottom - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[server]}"/>`,
        );
        parts.push(
          `<text x="${(bx + bar / 2).toFixed(1)}" y="${(panel.bottom - h - 4).toFixed(1)}" text-anchor="middle" font-size="10">${Math.round(v)}</text>`,
        );
      }
      parts.push(
        `<text x="${(x + bar + 1).toFixed(1)}" y="${panel.bottom + 16}" text-anchor="middle" font-size="11">${row.title}</text>`,
      );
    });
    parts.push(`<text x="${left}" y="${panel.bottom + 36}" font-size="10" fill="#555">${unit}</text>`);
  };
  drawPanel(
    40,
    'Throughput (req/s, higher is better)',
    (a) => a.requestsPerSecond,
    'requests per second, mean of the rounds',
  );
  drawPanel(510, 'p99 latency (ms, lower is better)', (a) => a.p99, 'milliseconds, mean of the rounds');
  const legend = (x: number, color: string, label: string) =>
    `<rect x="${x}" y="${height - 40}" width="14" height="14" fill="${color}"/><text x="${x + 20}" y="${height - 28}" font-size="12">${label}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...parts,
    legend(40, colors.ceiling, 'ceiling (raw Fastify + postgres.js)'),
    legend(330, colors.app, 'app (production build)'),
    `<text x="${width - 10}" y="${height - 28}" text-anchor="end" font-size="10" fill="#555">${report.date} · ${report.commit.slice(0, 12)} · ${report.settings.connections} connections</text>`,
    '</svg>',
    '',
  ].join('\n');
}
