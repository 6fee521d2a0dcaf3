import { eventOf } from '../../platform/events/contracts.js';
import type { OutboxEvent } from '../../platform/events/outbox.js';
import { type UserEvent, usersContract } from './contract.js';
import type { UserRecord } from './users.repository.js';

/** `user.created` and `user.updated` carry the user's public fields; `version` is the user's. */
export function userEvent(
  routingKey: (typeof UserEvent)[keyof typeof UserEvent],
  user: UserRecord,
): OutboxEvent {
  return eventOf(usersContract, routingKey, user.version, {
    user_id: user.id,
    username: user.username,
    email: user.email,
    is_active: user.isActive,
    locale: user.locale,
  });
}
