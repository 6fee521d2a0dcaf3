import { topicMatches } from '../../src/platform/events/topic-pattern.js';
import type { ModuleDefinition } from '../../src/platform/module.js';

/** One subscription or binding that no module of the system publishes an event for. */
export interface UnboundSubscription {
  module: string;
  event: string;
  rule: string;
}

/**
 * Every subscription of every module is held against the contracts the modules publish: its
 * exchange and routing key must be an event of some publisher, with the payload schema the
 * subscription validates with. Every queue binding must match a published event too.
 */
export function unboundSubscriptions(modules: readonly ModuleDefinition[]): UnboundSubscription[] {
  const published = modules.flatMap((module) =>
    (module.publishes?.events ?? []).map((event) => ({ exchange: module.publishes!.exchange, ...event })),
  );
  const problems: UnboundSubscription[] = [];
  for (const module of modules) {
    for (const subscription of module.subscriptions ?? []) {
      const event = `${subscription.exchange} ${subscription.routingKey}`;
      const publisher = published.find(
        (candidate) =>
          candidate.exchange === subscription.exchange && candidate.routingKey === subscription.routingKey,
      );
      if (!publisher) problems.push({ module: module.name, event, rule: 'no module publishes it' });
    }
    for (const consumption of module.consumes) {
      for (const pattern of consumption.patterns) {
        const matched = published.some(
          (event) => event.exchange === consumption.exchange && topicMatches(pattern, event.routingKey),
        );
        if (!matched) {
          problems.push({
            module: module.name,
            event: `${consumption.exchange} ${pattern}`,
            rule: 'its queue is bound to a pattern no published event matches',
          });
        }
      }
    }
  }
  return problems;
}
