import type { Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import { savePrincipal } from '../../platform/http/auth.js';
import { USER_EVENTS, type UserEventPayload } from './contract.js';
import type { UserRecord } from './users.repository.js';

/**
 * What every write of a user carries in its transaction: the platform's principal (who may act,
 * checked on each request) and the `user.*` event with the user's new version.
 */
export async function recordUserChange(
  tx: Executor,
  user: UserRecord,
  routingKey: 'user.created' | 'user.updated',
): Promise<void> {
  await savePrincipal(tx, { id: user.id, isActive: user.isActive, isStaff: user.isStaff });
  const payload: UserEventPayload = {
    user_id: user.id,
    username: user.username,
    email: user.email,
    is_active: user.isActive,
  };
  await recordEvents(tx, [{ exchange: USER_EVENTS, routingKey, version: user.version, payload }]);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
