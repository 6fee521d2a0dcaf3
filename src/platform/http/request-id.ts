import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const ACCEPTABLE = /^[\w.:@/+=-]{1,128}$/;

/** The caller's `x-request-id`, or Kong's `kong-request-id`, when it is sane; else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const { headers } = request;
  const own = headers['x-request-id'];
  if (typeof own === 'string' && ACCEPTABLE.test(own)) return own;
  const kong = headers['kong-request-id'];
  if (typeof kong === 'string' && ACCEPTABLE.test(kong)) return kong;
  return randomUUID();
}
