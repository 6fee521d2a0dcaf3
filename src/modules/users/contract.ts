import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/events/envelope.js';

export const USER_EVENTS = 'user_events';

export const UserEvent = {
  created: 'user.created',
  updated: 'user.updated',
} as const;

/** The payload of `user.created` and `user.updated`, beyond the envelope. */
export const UserEventPayload = Type.Object(
  {
    user_id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    is_active: Type.Boolean(),
    /** The user's language tag (`es`, `es-AR`); null is English. Absent in events before it existed. */
    locale: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { examples: [{ user_id: 5, username: 'ana', email: 'ana@example.com', is_active: true, locale: 'es' }] },
);
export type UserEventPayload = Static<typeof UserEventPayload>;

export const usersContract = {
  exchange: USER_EVENTS,
  events: [
    {
      routingKey: UserEvent.created,
      payload: UserEventPayload,
      description: 'A user registered or was bootstrapped.',
    },
    {
      routingKey: UserEvent.updated,
      payload: UserEventPayload,
      description: 'A user changed their profile, or an admin changed their role or activity.',
    },
  ],
} as const satisfies ModuleContract;
