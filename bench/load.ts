import autocannon, { type Request, type Result } from 'autocannon';
import type { ServerProcess } from './server-process.js';

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and answers other than 2xx. */
  errors: number;
  requests: number;
  /** Highest resident set of the server during the run, MiB. */
  peakRssMb: number;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  requests: Request[];
}

export function summarize(result: Result): Omit<LoadResult, 'peakRssMb'> {
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    requests: result.requests.total,
  };
}

export function fire(baseUrl: string, options: LoadOptions): Promise<Result> {
  return autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: options.requests,
  });
}

/** One bounded autocannon run against a server, sampling its memory meanwhile. */
export async function load(server: ServerProcess, options: LoadOptions): Promise<LoadResult> {
  server.startSampling();
  const result = await fire(server.baseUrl, options);
  const peakRssMb = server.stopSampling();
  return { ...summarize(result), peakRssMb };
}

export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[index]!;
}
