import { type Static, Type } from '@sinclair/typebox';
import { pageOf } from '../http/paging.js';

/** One parked message, as the CLI prints it and the admin API answers it. */
const DEAD_LETTER_EXAMPLE = {
  id: 'reviews.orders:6f1c2a9e-8d4b-4c3a-9f2e-1b7d5e0a4c33',
  queue: 'reviews.orders',
  exchange: 'orders',
  routing_key: 'order.updated',
  event_id: '6f1c2a9e-8d4b-4c3a-9f2e-1b7d5e0a4c33',
  event: 'order_updated',
  error: 'connection terminated unexpectedly',
  attempts: 5,
  parked_at: '2026-03-09T17:20:31.000Z',
  message: {
    event_id: '6f1c2a9e-8d4b-4c3a-9f2e-1b7d5e0a4c33',
    event: 'order_updated',
    timestamp: '2026-03-09T17:20:30.000Z',
    version: 3,
    order_id: '0b6f6d2e-5c1a-4f7e-9b1d-3a2c8e4f7a90',
  },
};

export const DeadLetterSchema = Type.Object(
  {
    id: Type.String({ description: '`<queue>:<event_id>`, stable while the message stays parked' }),
    queue: Type.String({ description: 'the consumer queue that gave up on it' }),
    exchange: Type.String(),
    routing_key: Type.String(),
    event_id: Type.String(),
    event: Type.Union([Type.String(), Type.Null()]),
    error: Type.String({ description: 'what the last try failed with' }),
    attempts: Type.Integer({ minimum: 0 }),
    parked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    message: Type.Union([Type.Object({}, { additionalProperties: true }), Type.String()], {
      description: 'the event envelope; the raw body when it is not one',
    }),
  },
  { $id: 'DeadLetter', examples: [DEAD_LETTER_EXAMPLE] },
);

export const DeadLetterPage = pageOf(DeadLetterSchema, {
  $id: 'DeadLetterPage',
  examples: [{ count: 1, next: null, previous: null, results: [DEAD_LETTER_EXAMPLE] }],
});
export type DeadLetterView = Static<typeof DeadLetterSchema>;

const QueueStatusSchema = Type.Object({
  queue: Type.String(),
  exchange: Type.String(),
  consumed: Type.Integer({ minimum: 0, description: 'events this queue has applied (its inbox)' }),
  dead_lettered: Type.Integer({ minimum: 0, description: 'messages parked now' }),
  replays_pending: Type.Integer({ minimum: 0, description: 'replays in the outbox not yet delivered' }),
});

const ModuleStatusSchema = Type.Object({
  module: Type.String(),
  exchange: Type.Union([Type.String(), Type.Null()], { description: 'the exchange it publishes' }),
  outbox: Type.Object({
    pending: Type.Integer({ minimum: 0, description: 'events written but not yet confirmed by the bus' }),
    oldest_pending_age_seconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    published: Type.Integer({ minimum: 0, description: 'events confirmed by the bus' }),
  }),
  queues: Type.Array(QueueStatusSchema),
});

const MailStatusSchema = Type.Object(
  {
    pending: Type.Integer({ minimum: 0, description: 'mails recorded and not yet sent (parked ones aside)' }),
    sending: Type.Integer({ minimum: 0, description: 'of those, claimed by a relay now' }),
    sent: Type.Integer({ minimum: 0 }),
    parked: Type.Integer({ minimum: 0, description: 'mails given up on after MAIL_MAX_ATTEMPTS refusals' }),
    oldest_pending_age_seconds: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
  },
  { description: 'the mail outbox' },
);

export const EventsStatusSchema = Type.Object(
  {
    bus: Type.Union([Type.Literal('memory'), Type.Literal('rabbitmq')]),
    dead_letter_store: Type.String({ description: 'where parked messages are kept' }),
    modules: Type.Array(ModuleStatusSchema),
    mail: MailStatusSchema,
    totals: Type.Object({
      pending: Type.Integer({ minimum: 0 }),
      published: Type.Integer({ minimum: 0 }),
      consumed: Type.Integer({ minimum: 0 }),
      dead_lettered: Type.Integer({ minimum: 0 }),
      replays_pending: Type.Integer({ minimum: 0 }),
    }),
  },
  {
    $id: 'EventsStatus',
    examples: [
      {
        bus: 'rabbitmq',
        dead_letter_store: 'rabbitmq <queue>.dlq',
        modules: [
          {
            module: 'orders',
            exchange: 'orders',
            outbox: { pending: 0, oldest_pending_age_seconds: null, published: 1204 },
            queues: [
              {
                queue: 'orders.products',
                exchange: 'products',
                consumed: 1190,
                dead_lettered: 0,
                replays_pending: 0,
              },
            ],
          },
        ],
        mail: { pending: 0, sending: 0, sent: 57, parked: 0, oldest_pending_age_seconds: null },
        totals: { pending: 0, published: 1204, consumed: 1190, dead_lettered: 0, replays_pending: 0 },
      },
    ],
  },
);
export type EventsStatus = Static<typeof EventsStatusSchema>;
