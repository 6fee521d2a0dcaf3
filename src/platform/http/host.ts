import type { FastifyRequest } from 'fastify';
import { BadRequestError } from './errors.js';

const LABEL = '[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?';
/** RFC 3986 `host [ ":" port ]`: a name or IPv4 address, or an IPv6 literal in brackets. */
const HOST = new RegExp(`^(?:\\[[0-9A-Fa-f:.]+\\]|${LABEL}(?:\\.${LABEL})*\\.?)(?::\\d{1,5})?$`, 'u');
const LOOPBACK = /^(?:localhost|[\w-]+\.localhost|127(?:\.\d{1,3}){3}|\[::1\])\.?$/iu;

/** The last host that passed: every request of a deployment names the same one or two. */
let lastValid = '';

export function isValidHost(host: string): boolean {
  if (host === lastValid) return true;
  if (host.length > 261 || !HOST.test(host)) return false;
  lastValid = host;
  return true;
}

/** `localhost`, `127.x.x.x` or `[::1]`, with or without a port: this machine, never someone else's. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/:\d+$/u, ''));
}

/**
 * A request whose Host header is not a host is a 400 (RFC 9112 §3.2), before anything builds a URL
 * from it. A request without one (HTTP/1.0) passes. Run by the platform's request hook.
 */
export function checkHost(request: FastifyRequest): void {
  const host = request.headers.host;
  if (host !== undefined && !isValidHost(host)) {
    throw new BadRequestError('HTTP.BAD_HOST', 'The Host header is not a valid host name and port', [
      { path: 'headers.host', message: 'is not a valid host' },
    ]);
  }
}
