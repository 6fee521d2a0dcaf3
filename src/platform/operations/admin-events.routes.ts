import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { BadRequestError, ProblemSchema } from '../http/errors.js';
import { PageQuery, pageOf, pageWindow, toPage } from '../http/paging.js';
import type { DeadLetters } from './dead-letters.js';
import { DeadLetterSchema, EventsStatusSchema } from './dead-letters.schemas.js';

const common = { tags: ['operations'], security: [{ bearer: [] }] };
const denied = { 401: ProblemSchema, 403: ProblemSchema, 503: ProblemSchema };

const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: '`<queue>:<event_id>` as listed' }),
});
const ListQuery = Type.Composite(
  [PageQuery, Type.Object({ queue: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) })],
  { additionalProperties: false },
);
const ReplayBody = Type.Object(
  {
    queue: Type.String({ minLength: 1, maxLength: 200 }),
    all: Type.Optional(Type.Boolean({ description: 'every message parked in the queue now' })),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'the oldest N (default 1)' }),
    ),
  },
  { additionalProperties: false },
);
const DiscardQuery = Type.Object(
  {
    queue: Type.String({ minLength: 1, maxLength: 200 }),
    all: Type.Literal(true, { description: 'must be true: every message parked in the queue is dropped' }),
  },
  { additionalProperties: false },
);
const Replayed = Type.Object({
  replayed: Type.Integer({ minimum: 0, description: 'events sent back to their queue (via the outbox)' }),
  skipped: Type.Integer({ minimum: 0, description: 'messages left parked: not event envelopes' }),
});
const Discarded = Type.Object({ discarded: Type.Integer({ minimum: 0 }) });

/** A route that takes no body: none, or an empty JSON object. */
function refuseBody(body: unknown): void {
  if (body === undefined || body === null) return;
  if (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0) return;
  throw new BadRequestError('VALIDATION_FAILED', 'This request takes no body', [
    { path: 'body', message: 'must be empty' },
  ]);
}

/**
 * `/api/admin/events`: the event flow and its dead letters, for staff only. `open` gives the dead
 * letters, opened on the first request that needs them (see operations.ts).
 */
export function registerAdminEvents(
  root: FastifyInstance,
  open: () => Promise<DeadLetters>,
  flushConsumedCounts: () => Promise<void>,
): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const onRequest = app.requireAdmin;

  app.get(
    '/status',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Outbox backlog, events published and consumed, and dead letters, per module',
        response: { 200: EventsStatusSchema, ...denied },
      },
    },
    async () => {
      await flushConsumedCounts();
      return (await open()).status();
    },
  );

  app.get(
    '/dead-letters',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Parked messages, oldest first',
        querystring: ListQuery,
        response: { 200: pageOf(DeadLetterSchema), 400: ProblemSchema, ...denied },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { count, results } = await (await open()).list({ ...window, queue: request.query.queue });
      return toPage(request, window, count, results);
    },
  );

  app.get(
    '/dead-letters/:id',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'One parked message, whole',
        params: IdParams,
        response: { 200: DeadLetterSchema, 404: ProblemSchema, ...denied },
      },
    },
    async (request) => (await open()).show(request.params.id),
  );

  app.post(
    '/dead-letters/:id/replay',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Send one parked message back to its queue (applied at most once)',
        params: IdParams,
        response: { 200: Replayed, 400: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, ...denied },
      },
    },
    async (request) => {
      refuseBody(request.body);
      const { taken, skipped } = await (await open()).replay({ id: request.params.id });
      return { replayed: taken, skipped };
    },
  );

  app.post(
    '/dead-letters/replay',
    {
      onRequest,
      schema: {
        ...common,
        summary: "Send a queue's parked messages back to it, oldest first",
        body: ReplayBody,
        response: { 200: Replayed, 400: ProblemSchema, ...denied },
      },
    },
    async (request) => {
      const { queue, all, limit } = request.body;
      if (all && limit !== undefined)
        throw new BadRequestError('VALIDATION_FAILED', 'Give either all or limit', [
          { path: 'body.limit', message: 'cannot be combined with all' },
        ]);
      const selection = all ? { queue, all: true as const } : { queue, limit: limit ?? 1 };
      const { taken, skipped } = await (await open()).replay(selection);
      return { replayed: taken, skipped };
    },
  );

  app.delete(
    '/dead-letters/:id',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Drop one parked message',
        params: IdParams,
        response: { 200: Discarded, 404: ProblemSchema, ...denied },
      },
    },
    async (request) => ({ discarded: (await (await open()).discard({ id: request.params.id })).taken }),
  );

  app.delete(
    '/dead-letters',
    {
      onRequest,
      schema: {
        ...common,
        summary: 'Drop every message parked in a queue (?queue=…&all=true)',
        querystring: DiscardQuery,
        response: { 200: Discarded, 400: ProblemSchema, ...denied },
      },
    },
    async (request) => ({
      discarded: (await (await open()).discard({ queue: request.query.queue, all: true })).taken,
    }),
  );
}
