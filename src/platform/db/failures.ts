/**
 * What a failed database call means, decided once for the whole platform: the HTTP error handler,
 * the event consumers, the outbox relay and the health check all ask here.
 *
 * - `unavailable`: the database cannot be reached or dropped the connection — refused, reset or
 *   timed-out sockets, a closed client, `08xxx` (connection exception; PgBouncer reports its own
 *   failures as `08P01`), `57P01`/`57P02`/`57P03` (shutdown, crash, starting up), `53300` (too many
 *   connections). Nothing was committed by the failed call, and trying again later will work.
 * - `contention`: `40001` (serialization failure) and `40P01` (deadlock): PostgreSQL rolled the
 *   transaction back because of another one; running it again will work.
 * - `permanent`: anything else — the handler's own logic or data. Only these count towards a
 *   message's dead-letter budget.
 */
export type FailureKind = 'unavailable' | 'contention' | 'permanent';

/** The code of the platform's own `DatabaseUnavailableError`. */
const PLATFORM_UNAVAILABLE = 'DATABASE_UNAVAILABLE';

/** Codes of Node's sockets and of postgres.js for a connection that could not be made or was lost. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_STREAM_DESTROYED',
  'ERR_SOCKET_CLOSED',
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  PLATFORM_UNAVAILABLE,
]);

/** SQLSTATEs outside class 08 that mean the server or the connection went away. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const CONTENTION_STATES = new Set(['40001', '40P01']);

/** Raised by the platform itself when it knows the database cannot be used now (a closed session). */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  readonly code = PLATFORM_UNAVAILABLE;
}

function kindOf(error: object): FailureKind | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  if (CONNECTION_CODES.has(code) || UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))
    return 'unavailable';
  if (CONTENTION_STATES.has(code)) return 'contention';
  return undefined;
}

/**
 * Looks through the wrappers (drizzle's `DrizzleQueryError` keeps the driver's error as `cause`,
 * an `AggregateError` its `errors`) for the first error that says what happened.
 */
export function classifyFailure(error: unknown): FailureKind {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const kind = kindOf(current);
    if (kind) return kind;
    const { cause, errors } = current as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return 'permanent';
}

/** A failure that goes away by itself: try again later, and do not count it against the work. */
export function isTransientFailure(error: unknown): boolean {
  return classifyFailure(error) !== 'permanent';
}
