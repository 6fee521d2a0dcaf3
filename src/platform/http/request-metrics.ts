import type { Metric, Registry } from 'prom-client';

const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const ANSWERED = { name: 'http_requests_total', help: 'HTTP requests answered', type: 'counter' };
const LATENCY = { name: 'http_request_duration_seconds', help: 'HTTP request latency', type: 'histogram' };

interface Answered {
  labels: { method: string; route: string; status: string };
  value: number;
}

interface Latency {
  labels: { method: string; route: string };
  /** Observations per bucket, not cumulative; the last one is past the largest bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** A metric the registry renders from `get`, as it renders its own. */
function exposed(description: typeof ANSWERED, values: () => unknown[]): Metric {
  const metric = {
    ...description,
    get: async () => ({ ...description, aggregator: 'sum', values: values() }),
  };
  return metric as unknown as Metric;
}

/** One route and method: its latency histogram and its answers by status. */
interface Series {
  latency: Latency;
  answered: Map<number, Answered>;
}

/**
 * `http_requests_total` and `http_request_duration_seconds`, tallied in plain maps on every answer
 * and rendered only when scraped, in the exposition prom-client's Counter and Histogram give. Those
 * validate and hash their labels and build a closure on every observation: 4 % of the detail
 * route's CPU in a profile, for two additions. The maps are keyed by the route and method strings
 * Fastify hands over (the same strings every time, their hashes kept) and the status number, so an
 * answer builds no key.
 */
export class RequestMetrics {
  private readonly routes = new Map<string, Map<string, Series>>();

  constructor(registry: Registry) {
    registry.registerMetric(
      exposed(ANSWERED, () => this.series().flatMap((one) => [...one.answered.values()])),
    );
    registry.registerMetric(
      exposed(LATENCY, () => this.series().flatMap((one) => latencyValues(one.latency))),
    );
  }

  record(method: string, route: string, status: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (!methods) {
      methods = new Map();
      this.routes.set(route, methods);
    }
    let series = methods.get(method);
    if (!series) {
      series = {
        latency: { labels: { method, route }, counts: BUCKETS.map(() => 0).concat(0), sum: 0, count: 0 },
        answered: new Map(),
      };
      methods.set(method, series);
    }
    const answered = series.answered.get(status);
    if (answered) answered.value++;
    else series.answered.set(status, { labels: { method, route, status: String(status) }, value: 1 });
    const { latency } = series;
    let bucket = 0;
    while (bucket < BUCKETS.length && seconds > BUCKETS[bucket]!) bucket++;
    latency.counts[bucket]!++;
    latency.sum += seconds;
    latency.count++;
  }

  private series(): Series[] {
    return [...this.routes.values()].flatMap((methods) => [...methods.values()]);
  }
}

function latencyValues(latency: Latency) {
  const { name } = LATENCY;
  let cumulative = 0;
  const buckets = BUCKETS.map((bound, index) => {
    cumulative += latency.counts[index]!;
    return {
      metricName: `${name}_bucket`,
      labels: { le: bound },
      sharedLabels: latency.labels,
      value: cumulative,
    };
  });
  return [
    ...buckets,
    {
      metricName: `${name}_bucket`,
      labels: { le: '+Inf' },
      sharedLabels: latency.labels,
      value: latency.count,
    },
    { metricName: `${name}_sum`, labels: latency.labels, value: latency.sum },
    { metricName: `${name}_count`, labels: latency.labels, value: latency.count },
  ];
}
