import { type Static, Type } from '@sinclair/typebox';

/** One parked message, as the CLI prints it and the admin API answers it. */
export const DeadLetterSchema = Type.Object({
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

export const EventsStatusSchema = Type.Object({
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
});
export type EventsStatus = Static<typeof EventsStatusSchema>;
