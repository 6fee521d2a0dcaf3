import { type FastifyReply, type FastifyRequest, type FastifyServerOptions, LogController } from 'fastify';
import type { Config } from '../config.js';

/** Never written to a log: credentials and tokens, wherever they appear. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.refresh',
  '*.access',
  '*.token',
];

/**
 * pino JSON (one object per line, for log shippers) or, in development, pino-pretty's coloured
 * lines for a person at a terminal; the pretty transport runs in a worker thread of its own.
 */
export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  const options = { level: config.LOG_LEVEL, redact: { paths: REDACTED, censor: '[redacted]' } };
  if (config.logFormat === 'json') return options;
  return {
    ...options,
    transport: {
      target: 'pino-pretty',
      options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,module', singleLine: true },
    },
  };
}

/** Probes an orchestrator sends every few seconds: their lines would bury everything else. */
function isProbe(request: FastifyRequest): boolean {
  const url = request.url;
  return url.startsWith('/health/') || url === '/metrics';
}

/**
 * Request lines: probes only at `debug` (their failures still at `error`); with pretty logs one
 * line per request, `GET /api/products 200 3.1 ms`, instead of an incoming and a completed line.
 */
export class RequestLogController extends LogController {
  constructor(private readonly oneLine: boolean) {
    super();
  }

  override incomingRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (this.oneLine || isProbe(request)) {
      request.log.debug({ req: request }, 'incoming request');
      return;
    }
    super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    const level = isProbe(request) ? 'debug' : 'info';
    if (this.oneLine) {
      const time = reply.elapsedTime.toFixed(1);
      reply.log[level](`${request.method} ${request.url} ${reply.statusCode} ${time} ms`);
      return;
    }
    reply.log[level]({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
