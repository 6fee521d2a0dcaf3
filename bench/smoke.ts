/**
 * The bench's smoke, run by .ci/run: a small catalog in a throwaway database, both servers, one
 * short run of every scenario, checkout and a two-step saga rate search on both buses, the relay,
 * a small seed with its event delivery on RabbitMQ, the report written to a temporary folder. It checks that the harness works end to end, not how fast anything is.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchSettings, fullRun } from './bench.settings.js';
import { build, log, runHarness } from './bench-harness.js';
import type { BenchReport } from './bench-report.js';
import { deleteVhost } from './rabbitmq-vhost.js';

const folder = mkdtempSync(join(tmpdir(), 'mascotas-bench-smoke-'));
const suffix = `${process.pid}_${Date.now().toString(36)}`;
const settings: BenchSettings = {
  ...fullRun,
  database: `mascotas_bench_smoke_${suffix}`,
  products: 200,
  dropDatabaseAfter: true,
  connections: 10,
  warmupSeconds: 1,
  runSeconds: 1,
  rounds: 1,
  checkoutSeconds: 2,
  checkoutPosters: 3,
  checkoutUsers: 2,
  seedProducts: 300,
  seedTimeoutSeconds: 120,
  sagaRate: {
    boundMs: 1000,
    stepSeconds: 1,
    factor: 2,
    maxSteps: 2,
    refineSteps: 1,
    postConnections: 3,
    postSeconds: 1,
  },
  relayMessages: 300,
  relayRounds: 1,
  vhost: `mascotas_bench_smoke_${suffix}`,
  resultsFile: join(folder, 'RESULTS.md'),
  chartFile: join(folder, 'results.svg'),
  dataFile: join(folder, 'results.json'),
  analysisFile: undefined,
  ports: { ceiling: 3911, app: 3912 },
};

function problemsOf(report: BenchReport): string[] {
  const problems: string[] = [];
  if (report.database.liveProducts < settings.products) {
    problems.push(`the seed left ${report.database.liveProducts} products, wanted ${settings.products}`);
  }
  for (const scenario of report.scenarios) {
    for (const [server, runs] of [
      ['ceiling', scenario.ceiling],
      ['app', scenario.app],
    ] as const) {
      const run = runs[0];
      if (!run || run.requests === 0) problems.push(`${scenario.key}: the ${server} answered no request`);
      else if (run.errors > 0) problems.push(`${scenario.key}: the ${server} answered ${run.errors} errors`);
      if (run && run.peakRssMb <= 0) problems.push(`${scenario.key}: no memory sample of the ${server}`);
    }
  }
  if (report.checkout.length !== 2)
    problems.push(`checkout ran on ${report.checkout.length} buses, wanted 2`);
  for (const run of report.checkout) {
    if (run.orders.placed === 0) problems.push(`checkout (${run.bus}): no order was placed`);
    if (run.orders.undecided > 0)
      problems.push(`checkout (${run.bus}): ${run.orders.undecided} orders never decided`);
    if (run.post.errors > 0) problems.push(`checkout (${run.bus}): ${run.post.errors} failed POSTs`);
    if (!Number.isFinite(run.toConfirmed.p99))
      problems.push(`checkout (${run.bus}): no order reached confirmed`);
    problems.push(...run.oversold.map((line) => `checkout (${run.bus}): ${line}`));
  }
  const sagaRuns = report.sagaRate ?? [];
  if (sagaRuns.length !== 2) problems.push(`the saga rate search ran on ${sagaRuns.length} buses, wanted 2`);
  for (const run of sagaRuns) {
    if (!(run.postOnly.requestsPerSecond > 0)) problems.push(`saga rate (${run.bus}): no POST-only rate`);
    if (run.steps.length === 0) problems.push(`saga rate (${run.bus}): no step ran`);
    if (!run.steps.some((step) => step.confirmedPerSecond > 0))
      problems.push(`saga rate (${run.bus}): no order of any step reached confirmed`);
  }
  const seed = report.seedDelivery;
  if (!seed) problems.push('the seed with delivery was not measured');
  else {
    problems.push(...seed.behind.map((line) => `seed with delivery: ${line}`));
    if (!seed.queues.some((queue) => queue.handled > 0 && Number.isFinite(queue.perSecond)))
      problems.push('seed with delivery: no queue applied anything at a measurable rate');
    if (seed.writtenSeconds === null) problems.push('seed with delivery: the end of the writes was not seen');
  }
  if (!report.relay || !(report.relay.relayPerSecond > 0) || !(report.relay.rawPerSecond > 0)) {
    problems.push('the relay measurement produced no throughput');
  }
  const markdown = existsSync(settings.resultsFile) ? readFileSync(settings.resultsFile, 'utf8') : '';
  for (const heading of [
    '## Targets',
    '## Catalog',
    '## Checkout saga under load',
    '## Saga throughput',
    '## Outbox relay to RabbitMQ',
    '## Seed with event delivery',
    '## Start-up',
  ]) {
    if (!markdown.includes(heading)) problems.push(`the report has no "${heading}"`);
  }
  const chart = existsSync(settings.chartFile) ? readFileSync(settings.chartFile, 'utf8') : '';
  if (!chart.startsWith('<svg') || (chart.match(/<rect /g) ?? []).length < 2 * report.scenarios.length) {
    problems.push('the chart is missing or has no bars');
  }
  return problems;
}

let failed = true;
try {
  if (!existsSync('dist/server.js')) build();
  const report = await runHarness(settings, 'Bench smoke');
  const problems = problemsOf(report);
  for (const problem of problems) log(`smoke: ${problem}`);
  failed = problems.length > 0;
  log(failed ? 'smoke: the harness is broken' : `smoke: the harness works end to end (report in ${folder})`);
} catch (error) {
  log(`smoke failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await deleteVhost(settings.vhost!).catch(() => {});
  // BENCH_SMOKE_KEEP=1 leaves the report to read (its path is logged above).
  if (process.env.BENCH_SMOKE_KEEP !== '1') rmSync(folder, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
