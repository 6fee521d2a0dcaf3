import { type Static, Type } from '@sinclair/typebox';
import type { ModuleContract } from '../../platform/module.js';

export const USER_EVENTS = 'user_events';
export const USER_CREATED = 'user.created';
export const USER_UPDATED = 'user.updated';

/** The payload of `user.created` and `user.updated`, beyond the envelope. */
export const UserEventPayload = Type.Object({
  user_id: Type.Integer(),
  username: Type.String(),
  email: Type.String(),
  is_active: Type.Boolean(),
});
export type UserEventPayload = Static<typeof UserEventPayload>;

export const usersContract: ModuleContract = {
  exchange: USER_EVENTS,
  events: [
    {
      routingKey: USER_CREATED,
      payload: UserEventPayload,
      description: 'A user registered or was bootstrapped.',
    },
    {
      routingKey: USER_UPDATED,
      payload: UserEventPayload,
      description: 'A user changed their profile, or an admin changed their role or activity.',
    },
  ],
};
