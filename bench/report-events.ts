import type { TargetCheck } from './bench-report.js';
import type { SagaRateResult, SagaStep } from './saga-rate.js';
import type { SeedDeliveryResult } from './seed-delivery.js';

/** The issue's bound on a seed of 100,000 products with every read model current. */
const SEED_TARGET = { products: 100_000, seconds: 60 };
/** p99 POST → `confirmed` over p99 POST, under the checkout load. */
export const CHECKOUT_RATIO_TARGET = 2;

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function seedTargets(seed: SeedDeliveryResult | null | undefined): TargetCheck[] {
  if (!seed) return [];
  const scaled = seed.products === SEED_TARGET.products ? '' : ` (measured with ${seed.products})`;
  return [
    {
      name: `Seed of ${SEED_TARGET.products.toLocaleString('en')} products with every read model current (PostgreSQL + RabbitMQ)${scaled}`,
      target: `<= ${SEED_TARGET.seconds} s`,
      measured: `${fixed(seed.totalSeconds, 1)} s${seed.behind.length > 0 ? `; behind: ${seed.behind.join('; ')}` : ''}`,
      met:
        seed.products >= SEED_TARGET.products &&
        seed.behind.length === 0 &&
        seed.totalSeconds <= SEED_TARGET.seconds,
    },
    {
      name: 'Seed: events applied per second per queue',
      target: 'reported',
      measured: seed.queues
        .filter((queue) => queue.handled > 0)
        .map((queue) => `${queue.queue} ${fixed(queue.perSecond, 0)}/s`)
        .join(', '),
      met: seed.queues.some((queue) => queue.handled > 0 && Number.isFinite(queue.perSecond)),
    },
  ];
}

export function sagaTargets(runs: SagaRateResult[] | undefined): TargetCheck[] {
  return (runs ?? []).map((run) => ({
    name: `Saga (${run.bus}): highest sustained confirmed orders/s with p99 POST→confirmed <= ${run.boundMs} ms`,
    target: 'reported, next to the POST-only rate',
    measured: `${sustainedRate(run)} orders/s (POST-only ${fixed(run.postOnly.requestsPerSecond, 0)} req/s)`,
    met: run.sustained !== null,
  }));
}

export function seedSection(seed: SeedDeliveryResult | null | undefined): string[] {
  if (!seed) return [];
  return [
    '## Seed with event delivery',
    '',
    `\`npm run seed -- --products ${seed.products}\` (waiting for delivery, as an operator runs it) into a fresh PostgreSQL database with the RabbitMQ bus on a fresh vhost; the seed's own process applies the events. Total: from its start to its exit, which comes once every read model is current (checked after: every queue handled what the outbox called for, no event left unpublished). Rates: from \`platform.consumed_counts\` sampled every 500 ms, each queue between 10 % and 90 % of its deliveries.`,
    '',
    `Total **${fixed(seed.totalSeconds, 1)} s**: products written after ${fixed(seed.writtenSeconds ?? Number.NaN, 1)} s, then ${fixed(seed.deliverySeconds ?? Number.NaN, 1)} s delivering; ${seed.events} events, ${seed.deliveries} deliveries, ${fixed(seed.perSecond, 0)} deliveries/s over all queues.${seed.behind.length > 0 ? ` **Not current**: ${seed.behind.join('; ')}.` : ''}`,
    '',
    '| queue | handled | owed by the outbox | applied/s |',
    '| --- | ---: | ---: | ---: |',
    ...seed.queues.map(
      (queue) =>
        `| ${queue.queue} | ${queue.handled} | ${queue.expected} | ${queue.handled === 0 ? '–' : fixed(queue.perSecond, 0)} |`,
    ),
    '',
  ];
}

/** The sustained rate, "at least" when no step broke the bound. */
function sustainedRate(run: SagaRateResult): string {
  if (!run.sustained) return 'none';
  return `${run.unbroken ? '>= ' : ''}${fixed(run.sustained.confirmedPerSecond, 0)}`;
}

function stepRow(step: SagaStep): string {
  return `| ${step.offeredPerSecond} | ${fixed(step.sentPerSecond, 0)} | ${fixed(step.post.p99, 0)} | ${fixed(step.confirmedPerSecond, 0)} | ${fixed(step.toConfirmed.p50, 0)} | ${fixed(step.toConfirmed.p99, 0)} | ${fixed(step.toConfirmed.p99 / step.post.p99)} | ${step.errors + step.undecided} | ${step.passed ? 'yes' : '**no**'} |`;
}

export function sagaSection(runs: SagaRateResult[] | undefined): string[] {
  if (!runs || runs.length === 0) return [];
  const lines = [
    '## Saga throughput',
    '',
    `Open loop: \`POST /api/orders\` (one unit of a plentiful product) sent at a fixed rate whatever the answers, each rate held for ${runs[0]!.stepSeconds} s and its orders left to be decided; the rate starts at a tenth of the POST-only rate and is multiplied by ${runs[0]!.factor} each step until a step breaks p99 POST→\`confirmed\` <= ${runs[0]!.boundMs} ms (or loses an order), then the gap between the last good step and that one is halved (">=": no step broke the bound before the steps ran out). POST-only: the same POSTs closed loop, answered as fast as the app can.`,
    '',
    '| bus | POST-only req/s | POST-only p99 ms | highest sustained confirmed orders/s | its p99 POST→confirmed ms | its p99 POST ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...runs.map(
      (run) =>
        `| ${run.bus} | ${fixed(run.postOnly.requestsPerSecond, 0)} | ${fixed(run.postOnly.p99, 0)} | **${sustainedRate(run)}** | ${run.sustained ? fixed(run.sustained.toConfirmed.p99, 0) : 'n/a'} | ${run.sustained ? fixed(run.sustained.post.p99, 0) : 'n/a'} |`,
    ),
    '',
  ];
  for (const run of runs) {
    lines.push(
      `Steps (${run.bus}):`,
      '',
      '| offered/s | sent/s | POST p99 ms | confirmed/s | POST→confirmed p50 ms | p99 ms | p99 ratio | errors | passed |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |',
      ...run.steps.map(stepRow),
      '',
    );
  }
  return lines;
}
