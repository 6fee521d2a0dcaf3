import type { Subscription } from '../../src/platform/events/contracts.js';
import type { EventHandler, HandleOptions } from '../../src/platform/events/inbox.js';
import { subscribe } from '../../src/platform/module.js';

/**
 * The handler and options the runtime gets for one exchange's subscriptions (what `subscribe`
 * registers), for a test to build the queue's `inboxHandler` on a lane of its own.
 */
export function subscribedQueue(subscriptions: readonly Subscription[]): {
  handler: EventHandler;
  options: HandleOptions;
} {
  const registered: { handler: EventHandler; options: HandleOptions }[] = [];
  subscribe(
    { handle: (_exchange, handler, options = {}) => registered.push({ handler, options }) },
    subscriptions,
  );
  if (registered.length !== 1) throw new Error(`expected one exchange, got ${registered.length}`);
  return registered[0]!;
}
