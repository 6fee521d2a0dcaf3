import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { on } from '../../src/platform/events/contracts.js';
import { defineModule, type ModuleDefinition } from '../../src/platform/module.js';
import { unboundSubscriptions } from './subscriptions.js';

const ghostContract = {
  exchange: 'ghost_events',
  events: [{ routingKey: 'ghost.seen', payload: Type.Object({ ghost_id: Type.Integer() }), description: '' }],
} as const;

describe('subscriptions', () => {
  it('when every module is listed, then each subscription is an event some module publishes', () => {
    const listed = ALL_MODULES.flatMap((module) =>
      (module.subscriptions ?? []).map(
        (subscription) => `${module.name} <- ${subscription.exchange} ${subscription.routingKey}`,
      ),
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(unboundSubscriptions(ALL_MODULES)).toEqual([]);
  });

  it('when a module consumes, then it does so only through subscriptions made from a contract', () => {
    for (const module of ALL_MODULES) {
      const subscribed = (module.subscriptions ?? []).map((s) => `${s.exchange} ${s.routingKey}`).sort();
      const bound = module.consumes.flatMap((c) => c.patterns.map((p) => `${c.exchange} ${p}`)).sort();
      expect({ module: module.name, bound }).toEqual({ module: module.name, bound: subscribed });
    }
  });

  it('when a module subscribes to one event twice, then defining it fails rather than drop a handler', () => {
    const twice = on(ghostContract, 'ghost.seen', async () => {});
    expect(() => defineModule({ name: 'twice', subscriptions: [twice, twice], async register() {} })).toThrow(
      'ghost_events ghost.seen is subscribed to twice',
    );
  });

  it('when a module subscribes to an event no module publishes, or binds a pattern nothing matches, then it is reported', () => {
    const haunted = defineModule({
      name: 'haunted',
      subscriptions: [on(ghostContract, 'ghost.seen', async () => {})],
      async register() {},
    });
    const stray: ModuleDefinition = {
      name: 'stray',
      consumes: [{ exchange: 'product_events', patterns: ['produce.*'] }],
      async register() {},
    };
    expect(unboundSubscriptions([...ALL_MODULES, haunted, stray])).toEqual([
      { module: 'haunted', event: 'ghost_events ghost.seen', rule: 'no module publishes it' },
      {
        module: 'haunted',
        event: 'ghost_events ghost.seen',
        rule: 'its queue is bound to a pattern no published event matches',
      },
      {
        module: 'stray',
        event: 'product_events produce.*',
        rule: 'its queue is bound to a pattern no published event matches',
      },
    ]);
  });
});
