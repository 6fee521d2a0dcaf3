import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTABLE = /^[\w.:@/+=-]{1,128}$/;

/** The caller's `x-request-id`, or Kong's `kong-request-id`, when it is sane; else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  for (const header of ['x-request-id', 'kong-request-id']) {
    const value = request.headers[header];
    if (typeof value === 'string' && ACCEPTABLE.test(value)) return value;
  }
  return randomUUID();
}
