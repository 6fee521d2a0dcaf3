/**
 * How long something that failed waits before it tries again: from `firstMs`, doubling with each
 * failure, never more than `maxMs`; then, with `jitter`, shortened at random by up to that share of
 * itself (0.25: somewhere between 75% and 100%), so that replicas which failed together do not come
 * back together. The ceiling stays a ceiling.
 */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
  /** 0 (the default) to 1. */
  readonly jitter?: number;
}

/** Past this many doublings every delay is at its ceiling anyway (and `2 ** n` stays finite). */
const MAX_DOUBLINGS = 30;

/**
 * The whole milliseconds to wait after `failures` failures in a row (0: the first retry waits
 * `firstMs`). The one backoff formula of the platform: database reconnects and availability
 * probes, broker reconnects, delivery retries, the outbox relay's polls.
 */
export function backoffDelay(backoff: Backoff, failures: number, random: () => number = Math.random): number {
  const doublings = Math.min(Math.max(Math.floor(failures), 0), MAX_DOUBLINGS);
  const ceiling = Math.min(backoff.firstMs * 2 ** doublings, backoff.maxMs);
  const jitter = Math.min(Math.max(backoff.jitter ?? 0, 0), 1);
  return Math.round(ceiling * (1 - jitter * random()));
}
