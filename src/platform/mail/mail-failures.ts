/**
 * What a failed send means. `unreachable`: no server took part in a decision about this mail — it
 * could not be reached, did not greet, refused the login or the TLS, said `421` (not available now),
 * or the connection broke. Nothing is counted against the mail; the relay waits and tries again.
 * `refused`: the server answered about this mail and said no (or the mail itself is at fault): one
 * attempt of its budget is used.
 */
export type SendFailureKind = 'unreachable' | 'refused';

/** nodemailer's codes for a connection that could not be made or used, and Node's socket codes. */
const UNREACHABLE_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'EAUTH',
  'ETLS',
  'EPROTOCOL',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export function classifySendFailure(error: unknown): SendFailureKind {
  if (typeof error !== 'object' || error === null) return 'refused';
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  if (responseCode === 421) return 'unreachable';
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return 'unreachable';
  return 'refused';
}

/** One line for `last_error` and the logs. */
export function describeSendFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  const tags = [code, responseCode].filter((tag) => tag !== undefined).join(' ');
  return `${tags ? `${tags}: ` : ''}${error.message}`.replace(/\s+/g, ' ').slice(0, 1000);
}
