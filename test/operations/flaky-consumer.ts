import type { ModuleDefinition } from '../../src/platform/module.js';

/** What a test sees of a consumer it can break and mend. */
export interface FlakyControl {
  /** While true, every delivery on the exchange fails (and ends up dead-lettered). */
  failing: boolean;
  /** Deliveries that reached the handler: their routing key, exchange and attempt. */
  deliveries: { eventId: string; routingKey: string; exchange: string; attempt: number }[];
  /** How often each event was applied (the real handler ran and returned). */
  applied: Map<string, number>;
}

export const FLAKY_ERROR = 'the read model is broken (test switch)';

/**
 * The same module with its handler for `exchange` behind a switch: a consumer with a bug that a
 * deployment later fixes. Queue names stay the module's own, so the CLI (which knows the real
 * modules) sees them.
 */
export function flakyConsumer(
  module: ModuleDefinition,
  exchange: string,
): { module: ModuleDefinition; control: FlakyControl } {
  const control: FlakyControl = { failing: true, deliveries: [], applied: new Map() };
  const wrapped: ModuleDefinition = {
    ...module,
    async register(app, context) {
      await module.register(app, {
        ...context,
        handle(source, handler) {
          if (source !== exchange) return context.handle(source, handler);
          context.handle(source, async (message, tx, delivery) => {
            const { routingKey, attempt } = delivery;
            control.deliveries.push({
              eventId: message.event_id,
              routingKey,
              exchange: delivery.exchange,
              attempt,
            });
            if (control.failing) throw new Error(FLAKY_ERROR);
            await handler(message, tx, delivery);
            control.applied.set(message.event_id, (control.applied.get(message.event_id) ?? 0) + 1);
          });
        },
      });
    },
  };
  return { module: wrapped, control };
}
