import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { BadRequestError, ProblemSchema } from '../http/errors.js';
import { PageQuery, pageWindow, toPage } from '../http/paging.js';
import type { DeadLetters } from './dead-letters.js';
import { DeadLetterPage, DeadLetterSchema, EventsStatusSchema } from './dead-letters.schemas.js';

const common = { tags: ['operations'] };
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
  {
    $id: 'ReplayRequest',
    additionalProperties: false,
    examples: [{ queue: 'reviews.orders', limit: 10 }],
  },
);
const DiscardQuery = Type.Object(
  {
    queue: Type.String({ minLength: 1, maxLength: 200 }),
    all: Type.Literal(true, { description: 'must be true: every message parked in the queue is dropped' }),
  },
  { additionalProperties: false },
);
const Replayed = Type.Object(
  {
    replayed: Type.Integer({ minimum: 0, description: 'events sent back to their queue (via the outbox)' }),
    skipped: Type.Integer({ minimum: 0, description: 'messages left parked: not event envelopes' }),
  },
  { $id: 'Replayed', examples: [{ replayed: 3, skipped: 0 }] },
);
const Discarded = Type.Object(
  { discarded: Type.Integer({ minimum: 0 }) },
  { $id: 'Discarded', examples: [{ discarded: 2 }] },
);

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
        description:
          'Staff only (401 without a token, 403 for a customer). Counts per module: outbox rows waiting to be published, events published and applied by each queue, messages parked as dead letters, and the mail outbox. On RabbitMQ, 503 `EVENTS.BROKER_UNAVAILABLE` while the broker is away.',
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
        description:
          'Staff only. The messages the consumers gave up on after their retries, paged; `queue` (`<module>.<exchange>`) narrows the list to one queue; 400 `EVENTS.UNKNOWN_QUEUE` for a queue that does not exist.',
        querystring: ListQuery,
        response: { 200: DeadLetterPage, 400: ProblemSchema, ...denied },
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
        description:
          'Staff only. The parked message with its envelope, routing key, queue, attempts and last error; 404 `EVENTS.DEAD_LETTER_NOT_FOUND` if no such message is parked.',
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
        description:
          "Staff only. Republishes the message to its queue and removes it from the dead letters; the consumer's inbox makes a second delivery a no-op. 404 `EVENTS.DEAD_LETTER_NOT_FOUND` if it is not parked, 409 `EVENTS.NOT_REPLAYABLE` for a message that is not an event (it can only be discarded).",
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
        description:
          'Staff only. Replays the oldest `limit` messages (default 1) parked in `queue`, or all of them with `all: true`; not both (400). Answers how many were sent back and how many were skipped (not events). 400 `EVENTS.UNKNOWN_QUEUE`.',
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
        description:
          'Staff only. Deletes the parked message for good (it is not applied); 404 `EVENTS.DEAD_LETTER_NOT_FOUND` if it is not parked.',
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
        description:
          'Staff only. Deletes every message parked in `queue`; `all=true` is required so that a stray request cannot empty a queue. Answers how many were dropped; 400 `EVENTS.UNKNOWN_QUEUE`.',
        querystring: DiscardQuery,
        response: { 200: Discarded, 400: ProblemSchema, ...denied },
      },
    },
    async (request) => ({
      discarded: (await (await open()).discard({ queue: request.query.queue, all: true })).taken,
    }),
  );
}
