import type { Subscription } from '../../platform/events/contracts.js';

/** Users reads no other module's events: it is upstream of all of them. */
export const usersSubscriptions: Subscription[] = [];
