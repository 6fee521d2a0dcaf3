import { randomUUID } from 'node:crypto';
import { type ServerOptions, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { problem } from './errors.js';

/**
 * Node's own limits as one request timeout: the headers and the whole body must arrive within
 * `REQUEST_TIMEOUT_MS` (`headersTimeout` defaults to 60 s whatever `requestTimeout` says), and the
 * check runs often enough to hold it (Node looks every 30 s by default, so a slow client kept its
 * connection up to 30 s past the limit). `0` turns the request timeout off; headers keep Node's.
 */
export function serverTimeouts(requestTimeoutMs: number): ServerOptions {
  if (requestTimeoutMs <= 0) return {};
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(requestTimeoutMs / 10))),
  };
}

const ANSWERS: Record<string, { status: number; code: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'HTTP.REQUEST_TIMEOUT',
    detail: 'The request did not arrive in time',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HTTP.HEADERS_TOO_LARGE',
    detail: 'The request line and headers are too large',
  },
};
const MALFORMED = { status: 400, code: 'HTTP.MALFORMED_REQUEST', detail: 'The request is not valid HTTP' };

interface ConnectionError extends Error {
  code?: string;
}

type HttpSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/**
 * Errors Node's HTTP parser meets before Fastify sees a request (431 header overflow, 400 bad
 * request line or framing, 408 request timeout): answered as problem+json with a request id, as
 * every other error is, then the connection is closed. Logged at info without the raw bytes (they
 * may hold credentials): a client's mistake is not the server's error.
 */
export function clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: HttpSocket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
  const requestId = randomUUID();
  this.log.info({ reqId: requestId, code: error.code, status: answer.status }, 'client error');
  // As Node does: answer only when no response of this connection has started.
  if (socket.writable && !socket._httpMessage?.headersSent) {
    const body = JSON.stringify(problem(answer.status, answer.code, answer.detail, requestId));
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-request-id: ${requestId}\r\n` +
        'Cache-Control: no-store\r\n' +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}
