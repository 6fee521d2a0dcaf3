import type { FastifyRequest } from 'fastify';
import { classifyFailure } from '../db/failures.js';
import { EstimatorUnavailableError } from '../password-strength.js';

/**
 * Seconds a client is asked to wait: a lost database takes a while, a deadlock's retry does not,
 * and the password estimator's fresh process is ready in about one.
 */
const RETRY_AFTER_SECONDS = { unavailable: 5, contention: 1, estimator: 1 } as const;

export interface Unavailable {
  code: 'SERVICE_UNAVAILABLE';
  detail: string;
  retryAfterSeconds: number;
}

/**
 * A request that failed because the database could not be reached, dropped the connection or
 * rolled the transaction back for another one is neither the server's fault nor the client's: it
 * is a `503` with `Retry-After`, never a `500` (and never the SQL). The database's availability is
 * told, so that the event consumers pause at once if it is really gone. The password estimator
 * that could not answer (`EstimatorUnavailableError`) is a `503` too. Undefined for any other
 * failure.
 */
export function unavailableOf(error: unknown, request: FastifyRequest): Unavailable | undefined {
  if (error instanceof EstimatorUnavailableError) {
    request.log.warn({ err: error }, 'password estimator unavailable; answered 503');
    return {
      code: 'SERVICE_UNAVAILABLE',
      detail: 'The password check is not available just now; try again shortly.',
      retryAfterSeconds: RETRY_AFTER_SECONDS.estimator,
    };
  }
  const kind = classifyFailure(error);
  if (kind === 'permanent') return undefined;
  request.server.platform?.database.availability.report(error);
  request.log.warn({ err: error, failure: kind }, 'database unavailable; answered 503');
  return {
    code: 'SERVICE_UNAVAILABLE',
    detail:
      kind === 'contention'
        ? 'The request collided with another one; send it again.'
        : 'The service cannot reach its database just now; try again shortly.',
    retryAfterSeconds: RETRY_AFTER_SECONDS[kind],
  };
}
