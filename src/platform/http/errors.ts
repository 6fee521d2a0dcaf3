import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { unavailableOf } from './unavailable.js';
import { type FieldError, fieldErrors } from './validation-messages.js';

export type { FieldError };

/** Every error a client may see: a stable `code` and an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, message: string, errors?: FieldError[]) {
    super(400, code, message, errors);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = 'Authentication is required', code = 'AUTH.UNAUTHORIZED') {
    super(401, code, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'You are not allowed to do this', code = 'AUTH.FORBIDDEN') {
    super(403, code, message);
  }
}
export class NotFoundError extends AppError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}
export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);
export type Problem = Static<typeof ProblemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Fastify's own 4xx errors, given stable codes of ours. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'HTTP.BODY_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'HTTP.EMPTY_JSON_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'HTTP.MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'HTTP.INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_INVALID_TYPE: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_MISSING_CONTENT_TYPE: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'HTTP.BAD_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'HTTP.URI_TOO_LONG',
  FST_ERR_ASYNC_CONSTRAINT: 'HTTP.BAD_REQUEST',
  FST_ERR_REQUEST_TIMEOUT: 'HTTP.REQUEST_TIMEOUT',
};

/** The `response` entries of a route's error statuses: `{ ...problemResponses(400, 404) }`. */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema])) as Record<
    S,
    typeof ProblemSchema
  >;
}

/**
 * For routes that take nothing from the client: no body, or an empty JSON object (a missing body
 * cannot be schema-checked). Anything else is a 400 naming each field.
 */
export function refuseBody(body: unknown, detail: string): void {
  if (body === undefined || body === null) return;
  const fields = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [''];
  if (fields.length === 0) return;
  const errors = fields.map((field) => ({
    path: field ? `body.${field}` : 'body',
    message: field ? 'is not an allowed field' : 'must be empty',
  }));
  throw new BadRequestError('VALIDATION_FAILED', detail, errors);
}

export function problem(status: number, code: string, detail: string, requestId?: string): Problem {
  const slug = code.toLowerCase().replaceAll('.', '/').replaceAll('_', '-');
  return {
    type: `https://mascotas.dev/problems/${slug}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    code,
    ...(requestId ? { request_id: requestId } : {}),
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.status(body.status).type('application/problem+json').send(body);
}

function validationProblem(error: FastifyError, requestId: string): Problem {
  const issues = (error.validation ?? []) as Parameters<typeof fieldErrors>[1];
  const errors = fieldErrors(error.validationContext ?? 'body', issues);
  const detail = errors.map((issue) => `${issue.path} ${issue.message}`).join('; ') || 'Invalid request';
  return { ...problem(400, 'VALIDATION_FAILED', detail, requestId), errors };
}

/** Errors the router raises before any route runs (a malformed or over-long URL): problem+json too. */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status =
    error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const code = FASTIFY_CODES[error.code] ?? 'HTTP.BAD_REQUEST';
  sendProblem(reply, problem(status, code, 'The request URL is malformed or too long', request.id));
}

/** One handler for every error: stable problem+json, and nothing internal in a 5xx. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      const body = problem(error.status, error.code, error.message, request.id);
      return sendProblem(reply, error.errors ? { ...body, errors: error.errors } : body);
    }
    if (error.validation) return sendProblem(reply, validationProblem(error, request.id));
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[error.code] ?? (status === 429 ? 'HTTP.RATE_LIMITED' : `HTTP.${status}`);
      return sendProblem(reply, problem(status, code, error.message, request.id));
    }
    const unavailable = unavailableOf(error, request);
    if (unavailable) {
      reply.header('retry-after', String(unavailable.retryAfterSeconds));
      return sendProblem(reply, problem(503, unavailable.code, unavailable.detail, request.id));
    }
    request.log.error({ err: error }, 'request failed');
    const detail = `The request could not be completed. Quote request id ${request.id} when reporting this.`;
    return sendProblem(reply, problem(status === 503 ? 503 : 500, 'INTERNAL', detail, request.id));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(
        404,
        'HTTP.ROUTE_NOT_FOUND',
        `No route ${request.method} ${request.url.split('?')[0]}`,
        request.id,
      ),
    ),
  );
}
