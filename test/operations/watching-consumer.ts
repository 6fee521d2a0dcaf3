import type { ModuleDefinition } from '../../src/platform/module.js';

/** A second consumer of the same exchange: a replay meant for another queue must not reach it. */
export function watchingConsumer(
  name: string,
  exchange: string,
): { module: ModuleDefinition; seen: string[] } {
  const seen: string[] = [];
  const module: ModuleDefinition = {
    name,
    consumes: [{ exchange, patterns: ['#'] }],
    async register(_app, { handle }) {
      handle(exchange, async (message) => {
        seen.push(message.event_id);
      });
    },
  };
  return { module, seen };
}
