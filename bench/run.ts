/** `npm run bench`: the catalog and checkout against a raw ceiling, written to bench/RESULTS.md. */

import { readFileSync } from 'node:fs';
import { fullRun } from './bench.settings.js';
import { build, log, runHarness, writeReport } from './bench-harness.js';
import { type BenchReport, targetChecks } from './bench-report.js';

const LIMIT_MS = 30 * 60_000;
const watchdog = setTimeout(() => {
  log(`the bench ran past ${LIMIT_MS / 60_000} minutes; giving up`);
  process.exit(1);
}, LIMIT_MS);
watchdog.unref();

try {
  let report: BenchReport;
  if (process.argv.includes('--render')) {
    // Writes RESULTS.md and the chart again from the last run's data (after editing analysis.md).
    report = JSON.parse(readFileSync(fullRun.dataFile, 'utf8')) as BenchReport;
    writeReport(report, fullRun);
  } else {
    if (process.env.BENCH_SKIP_BUILD !== '1') build();
    report = await runHarness(fullRun, 'Benchmark: the app against a raw ceiling');
  }
  for (const check of targetChecks(report)) {
    log(`${check.met ? 'met    ' : 'NOT MET'}  ${check.name}: ${check.measured} (wanted ${check.target})`);
  }
  process.exit(0);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
}
