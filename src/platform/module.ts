import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Executor } from './db/executor.js';
import type { Subscription } from './events/contracts.js';
import type { ModuleContract } from './events/envelope.js';
import type { Delivery } from './events/event-bus.js';
import type { EventHandler, HandleOptions } from './events/inbox.js';

export type { EventDefinition, ModuleContract } from './events/envelope.js';

/** A queue `<module>.<exchange>` and the routing patterns bound to it. */
export interface Consumption {
  exchange: string;
  patterns: readonly string[];
}

export interface ModuleContext {
  name: string;
  config: Config;
  database: Database;
  logger: FastifyBaseLogger;
  /**
   * Handles this module's queue on `exchange`; idempotent on `event_id` through the inbox, except
   * for the events `options.versionGuarded` names (see `HandleOptions`).
   */
  handle(exchange: string, handler: EventHandler, options?: HandleOptions): void;
}

export interface ModuleDefinition {
  name: string;
  /** One or two sentences on what the module does: its OpenAPI tag's description. */
  description?: string;
  publishes?: ModuleContract;
  /** The events it handles, each bound to a publisher's contract (see `defineModule`). */
  subscriptions?: readonly Subscription[];
  consumes: readonly Consumption[];
  /** Registers the module's routes under `/api/<name>` and its event handlers. */
  register(app: FastifyInstance, context: ModuleContext): Promise<void>;
}

export function queueName(moduleName: string, exchange: string): string {
  return `${moduleName}.${exchange}`;
}

/** The queue bindings a module's subscriptions need: per exchange, the routing keys it handles. */
export function consumptionsOf(subscriptions: readonly Subscription[]): Consumption[] {
  const byExchange = new Map<string, string[]>();
  for (const { exchange, routingKey } of subscriptions) {
    const keys = byExchange.get(exchange) ?? [];
    // One handler per event: a second would be silently dropped by subscribe().
    if (keys.includes(routingKey)) throw new Error(`${exchange} ${routingKey} is subscribed to twice`);
    byExchange.set(exchange, [...keys, routingKey]);
  }
  return [...byExchange].map(([exchange, patterns]) => ({ exchange, patterns }));
}

/**
 * Registers a module's subscriptions on its context: one handler per exchange that hands each
 * delivery to the subscription for its routing key. A delivery no subscription names (a binding
 * left from an older release) is ignored, and so needs no inbox row.
 */
export function subscribe(
  context: Pick<ModuleContext, 'handle'>,
  subscriptions: readonly Subscription[],
): void {
  for (const { exchange } of consumptionsOf(subscriptions)) {
    const byKey = new Map(
      subscriptions
        .filter((subscription) => subscription.exchange === exchange)
        .map((subscription) => [subscription.routingKey, subscription]),
    );
    const sharing = [...byKey.values()].filter((subscription) => subscription.sharedRows);
    context.handle(
      exchange,
      async (message, tx, delivery) => {
        await byKey.get(delivery.routingKey)?.handle(message, tx, delivery);
      },
      {
        versionGuarded: ({ routingKey }) => byKey.get(routingKey)?.versionGuarded ?? true,
        sharedRows: sharing.length > 0,
        // Two batches at once only if every handler that shares rows locks them in one order.
        locksInOrder: sharing.length > 0 && sharing.every((subscription) => subscription.locksInOrder),
        ...([...byKey.values()].some((subscription) => subscription.many) && {
          many: (deliveries, tx) => applyRuns(byKey, deliveries, tx),
        }),
      },
    );
  }
}

/**
 * A batch's deliveries in their order: consecutive ones whose subscriptions share a `many` go to
 * it together, the others one by one; those whose `many` comes `last` go after all the others.
 */
async function applyRuns(
  byKey: ReadonlyMap<string, Subscription>,
  deliveries: readonly Delivery[],
  tx: Executor,
): Promise<void> {
  const last = (delivery: Delivery) => byKey.get(delivery.routingKey)?.many?.last === true;
  await applyInRuns(
    byKey,
    deliveries.filter((delivery) => !last(delivery)),
    tx,
  );
  await applyInRuns(byKey, deliveries.filter(last), tx);
}

async function applyInRuns(
  byKey: ReadonlyMap<string, Subscription>,
  deliveries: readonly Delivery[],
  tx: Executor,
): Promise<void> {
  let index = 0;
  while (index < deliveries.length) {
    const first = deliveries[index]!;
    const subscription = byKey.get(first.routingKey);
    const apply = subscription?.many?.apply;
    if (!apply) {
      await subscription?.handle(first.message, tx, first);
      index++;
      continue;
    }
    const run: unknown[] = [];
    for (; index < deliveries.length; index++) {
      const next = deliveries[index]!;
      const many = byKey.get(next.routingKey)?.many;
      if (many?.apply !== apply) break;
      run.push(many.read(next.message));
    }
    await apply(run, tx);
  }
}

/** A module as its index.ts declares it: what it publishes, what it subscribes to, what it registers. */
export interface ModuleParts {
  name: string;
  /** One or two sentences on what the module does: its OpenAPI tag's description. */
  description?: string;
  publishes?: ModuleContract;
  subscriptions: readonly Subscription[];
  /** Registers the module's routes under `/api/<name>` (and whatever else it starts). */
  register(app: FastifyInstance, context: ModuleContext): Promise<void>;
}

/**
 * The module definition of a module's parts: its queue bindings come from its subscriptions, which
 * are registered on its context before its routes.
 */
export function defineModule(parts: ModuleParts): ModuleDefinition {
  return {
    ...parts,
    consumes: consumptionsOf(parts.subscriptions),
    async register(app, context) {
      subscribe(context, parts.subscriptions);
      await parts.register(app, context);
    },
  };
}
