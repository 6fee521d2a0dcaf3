/**
 * `npx tsx bench/checkout-only.ts [--rabbitmq] [--rate]`: the checkout scenario of `npm run bench`
 * alone (same catalogue, shoppers, browsers and measures), to try a change to the saga in a minute
 * instead of the whole run; `--rate` goes on with the saga rate search, as the bench does after
 * its checkout. Prints its figures; writes no report. Build first (`npm run build`).
 */

import { amqpUrl, fullRun } from './bench.settings.js';
import { prepareDatabase } from './bench-database.js';
import { log, startApp } from './bench-harness.js';
import { catalogScenarios, pickTargets } from './catalog-scenarios.js';
import { prepareCheckout, runCheckout } from './checkout-saga.js';
import { freshVhost } from './rabbitmq-vhost.js';
import { searchSagaRate } from './saga-rate.js';

const settings = fullRun;
const rabbitmq = process.argv.includes('--rabbitmq');
const prepared = await prepareDatabase(settings.database, settings.products, log);
const targets = await pickTargets(prepared.url);
const browsePaths = catalogScenarios(targets)
  .filter((scenario) => scenario.key !== 'detail')
  .flatMap((scenario) => scenario.samples);
let amqp: string | undefined;
if (rabbitmq) {
  const vhost = settings.vhost ?? 'mascotas_bench';
  await freshVhost(vhost);
  amqp = amqpUrl(vhost);
}
const app = await startApp('app', prepared.url, settings.ports.app, amqp);
try {
  const setup = await prepareCheckout(app, prepared.url, settings.checkoutUsers);
  const run = await runCheckout(app, prepared.url, rabbitmq ? 'RabbitMQ' : 'in-memory', setup, {
    seconds: settings.checkoutSeconds,
    posters: settings.checkoutPosters,
    browsers: settings.connections - settings.checkoutPosters,
    browsePaths,
    productIds: targets.productIds,
  });
  log(
    `checkout ${run.bus}: POST ${run.post.requestsPerSecond.toFixed(0)} req/s p99 ${run.post.p99} ms; ` +
      `browse ${run.browse.requestsPerSecond.toFixed(0)} req/s; orders ${run.orders.placed} ` +
      `(confirmed ${run.orders.confirmed}, rejected ${run.orders.rejected}, undecided ${run.orders.undecided}); ` +
      `POST→confirmed p50 ${run.toConfirmed.p50} p99 ${run.toConfirmed.p99} ms ` +
      `(${(run.toConfirmed.p99 / run.post.p99).toFixed(2)}× the POST's); saga alone p50 ${run.sagaOnly.p50} p99 ${run.sagaOnly.p99} ms; POST p50 ${run.post.p50} ms; errors ${run.post.errors + run.browse.errors}; oversell ${run.oversold.length === 0 ? 'none' : run.oversold.join('; ')}; peak RSS ${run.peakRssMb.toFixed(0)} MB`,
  );
  if (process.argv.includes('--rate')) {
    const rate = await searchSagaRate(app, prepared.url, run.bus, setup, settings.sagaRate);
    for (const step of rate.steps) {
      log(
        `rate ${step.offeredPerSecond}/s: POST p99 ${step.post.p99} ms, confirmed ${step.confirmedPerSecond.toFixed(0)}/s, ` +
          `POST→confirmed p50 ${step.toConfirmed.p50} p99 ${step.toConfirmed.p99} ms, errors ${step.errors}, ${step.passed ? 'passed' : 'broke'}`,
      );
    }
    log(
      `POST-only ${rate.postOnly.requestsPerSecond.toFixed(0)} req/s; sustained ${rate.sustained?.confirmedPerSecond.toFixed(0) ?? 'none'}/s`,
    );
  }
} finally {
  await app.stop();
}
process.exit(0);
