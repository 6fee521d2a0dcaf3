import type { Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import { savePrincipal } from '../../platform/http/auth.js';
import type { UserEvent } from './contract.js';
import { userEvent } from './users.events.js';
import type { UserRecord } from './users.repository.js';

/**
 * What every write of a user carries in its transaction: the platform's principal (who may act,
 * checked on each request) and the `user.*` event with the user's new version.
 */
export async function recordUserChange(
  tx: Executor,
  user: UserRecord,
  routingKey: (typeof UserEvent)[keyof typeof UserEvent],
): Promise<void> {
  await savePrincipal(tx, { id: user.id, isActive: user.isActive, isStaff: user.isStaff });
  await recordEvents(tx, [userEvent(routingKey, user)]);
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
