import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import { DOCS_PREFIX } from './docs.js';
import { problem, sendProblem } from './errors.js';
import { checkHost } from './host.js';

/** Hardening headers on every answer; the docs page sets its own content security policy. */
const HELMET: HelmetOptions = {
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
};

/**
 * helmet's headers for `options`, worked out once: its middleware sets the same values on every
 * response (without CSP nonces), so they are read off a stand-in response at start.
 */
export function helmetHeaders(options: HelmetOptions = HELMET): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
      return response;
    },
    removeHeader() {},
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure) throw failure;
  return headers;
}

/**
 * Of helmet's headers, those that protect an API's answers (OWASP's REST Security Cheat Sheet): no
 * content sniffing, no framing, HTTPS only, no referrer, no cross-site embedding. The others govern
 * how a browser treats an HTML document (its opener, its agent cluster, DNS prefetching of its
 * links, IE8's download prompt, Flash's cross-domain policies, IE's XSS filter) and go on pages
 * alone: on every JSON answer they were 6 of the 12 header lines that every client parses — on the
 * product detail, ~6 % of the bench's client's CPU per request (bench/analysis.md).
 */
const API_HEADERS = [
  'x-content-type-options',
  'x-frame-options',
  'strict-transport-security',
  'referrer-policy',
  'cross-origin-resource-policy',
] as const;

function apiHeaders(page: Record<string, string>): Record<string, string> {
  return Object.fromEntries(API_HEADERS.map((name) => [name, page[name]!]));
}

/**
 * What the platform does on every request, in one synchronous hook per phase: an async hook costs
 * a promise and a turn of the microtask queue, and @fastify/helmet built helmet's middleware and
 * two route-option objects again for every request (a CPU profile of the detail route).
 * - onRequest: the hardening headers (first, so that every refusal carries them too: the API's set,
 *   helmet's whole set on the pages under /docs), the Host header check, and the 503 for a request
 *   that arrives while the app closes (on a connection that was busy, so not closed with the idle
 *   ones), in problem+json with its request id.
 * - onSend: `x-request-id`; `connection: close` on an answer given during shutdown (so the server
 *   can close) or before the request's body has arrived (a guard's 401, a 413), so the rest of the
 *   body is not waited for and no second answer (a 408) follows on the connection.
 */
export function registerRequestHooks(app: FastifyInstance, closing: () => boolean): void {
  const page = helmetHeaders();
  const api = apiHeaders(page);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith(DOCS_PREFIX) ? page : api);
    try {
      checkHost(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    if (!closing()) {
      done();
      return;
    }
    reply.header('retry-after', '1');
    sendProblem(
      reply,
      problem(503, 'HTTP.SHUTTING_DOWN', 'The server is shutting down; send the request again.', request.id),
    );
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (closing() || !request.raw.complete) reply.header('connection', 'close');
    done(null, payload);
  });
}
