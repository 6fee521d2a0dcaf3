import { FormatRegistry, type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Executor } from '../db/executor.js';
import type { EventEnvelope, ModuleContract } from './envelope.js';
import type { Delivery } from './event-bus.js';
import type { OutboxEvent } from './outbox.js';

/** The one rule for `format: 'uuid'` in contracts (order ids): the 8-4-4-4-12 hex form. */
const UUID = /^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$/;
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => UUID.test(value));

/** The envelope every event carries around its payload. */
const Envelope = Type.Object({
  event_id: Type.String(),
  event: Type.String(),
  timestamp: Type.String(),
  version: Type.Integer({ minimum: 1 }),
});

type EventsOf<C extends ModuleContract> = C['events'][number];
/** The routing keys a contract publishes. */
export type RoutingKeyOf<C extends ModuleContract> = EventsOf<C>['routingKey'];
/** The payload schema a contract gives one of its events. */
type PayloadSchemaOf<C extends ModuleContract, K extends RoutingKeyOf<C>> = Extract<
  EventsOf<C>,
  { routingKey: K }
>['payload'];
/** The payload of one event of a contract, as its publisher builds it. */
export type PayloadOf<C extends ModuleContract, K extends RoutingKeyOf<C>> = Static<PayloadSchemaOf<C, K>>;
/** One event of a contract as a subscriber receives it: the envelope and the publisher's payload. */
export type EventOf<C extends ModuleContract, K extends RoutingKeyOf<C>> = PayloadOf<C, K> & EventEnvelope;

/** One handler bound to one published event: what `subscribe()` registers and the bus binds. */
export interface Subscription {
  exchange: string;
  routingKey: string;
  /** See `HandleOptions.versionGuarded`: the handler is harmless to repeat, so no inbox row. */
  versionGuarded: boolean;
  /** See `HandleOptions.sharedRows`: the queue applies one batch at a time. */
  sharedRows: boolean;
  /** See `HandleOptions.locksInOrder`: with `sharedRows`, two batches at a time. */
  locksInOrder: boolean;
  handle(message: EventEnvelope, tx: Executor, delivery: Delivery): Promise<void>;
  /**
   * Applies several deliveries at once (set-based statements), in their order: `read` checks one
   * message of this event, `apply` takes the checked events of a run. Subscriptions given the same
   * `many` in `on` share `apply` and take a run of their events together.
   */
  many?: {
    read(message: EventEnvelope): unknown;
    apply(events: unknown[], tx: Executor): Promise<void>;
    /** See `on`'s `last`. */
    last: boolean;
  };
}

export type EventHandlerOf<C extends ModuleContract, K extends RoutingKeyOf<C>> = (
  event: EventOf<C, K>,
  tx: Executor,
  delivery: Delivery,
) => Promise<void>;

function definitionOf(contract: ModuleContract, routingKey: string) {
  const definition = contract.events.find((event) => event.routingKey === routingKey);
  if (!definition) throw new Error(`${contract.exchange} publishes no ${routingKey} event`);
  return definition;
}

/** A malformed event throws: the bus retries it, then dead-letters it, rather than corrupting state. */
function read<T extends TSchema>(schema: T, message: EventEnvelope, routingKey: string): Static<T> {
  const body: unknown = message;
  for (const part of [Envelope, schema]) {
    if (Value.Check(part, body)) continue;
    const first = Value.Errors(part, body).First();
    throw new Error(`malformed ${routingKey} event ${message.event_id}: ${first?.path} ${first?.message}`);
  }
  return body as Static<T>;
}

/**
 * Subscribes `handler` to one event of another module's contract: the binding (exchange, routing
 * key) comes from the contract, every delivery is checked against the publisher's payload schema
 * (a malformed one is poison: retried, then dead-lettered), and the handler's event is typed from it.
 */
export function on<C extends ModuleContract, K extends RoutingKeyOf<C>>(
  contract: C,
  routingKey: K,
  handler: EventHandlerOf<C, K>,
  options: {
    versionGuarded?: boolean;
    sharedRows?: boolean;
    locksInOrder?: boolean;
    /**
     * The same effect as `handler` for a run of consecutive deliveries of a batch, in one go: a
     * read model's rows in one statement, say. Several subscriptions may share one `many`
     * (`created` and `updated` of one entity): consecutive deliveries of any of them form one
     * run. When it throws, the batch is applied again one delivery at a time with `handler`, so a
     * poison message still fails alone.
     */
    many?: (events: EventOf<C, K>[], tx: Executor) => Promise<void>;
    /**
     * With `many` (and `versionGuarded`): no other handler of the queue reads what it writes, and
     * its writes commute, so in a batch its events are applied together after the others — its
     * rows (a popular product's, say) are then locked only for the batch's last statement instead
     * of from the middle of the batch to its commit, while other batches wait for them.
     */
    last?: boolean;
  } = {},
): Subscription {
  const { payload } = definitionOf(contract, routingKey);
  const many = options.many;
  return {
    exchange: contract.exchange,
    routingKey,
    versionGuarded: options.versionGuarded ?? false,
    sharedRows: options.sharedRows ?? false,
    locksInOrder: options.locksInOrder ?? false,
    handle: (message, tx, delivery) =>
      handler(read(payload, message, routingKey) as EventOf<C, K>, tx, delivery),
    ...(many && {
      many: {
        read: (message: EventEnvelope) => read(payload, message, routingKey),
        apply: many as (events: unknown[], tx: Executor) => Promise<void>,
        last: (options.last ?? false) && (options.versionGuarded ?? false),
      },
    }),
  };
}

/**
 * The one way a module builds an event it publishes, for `recordEvents`: the exchange comes from its
 * contract and the payload is typed by the contract's schema.
 */
export function eventOf<C extends ModuleContract, K extends RoutingKeyOf<C>>(
  contract: C,
  routingKey: K,
  version: number,
  payload: PayloadOf<C, K>,
): OutboxEvent {
  definitionOf(contract, routingKey);
  return { exchange: contract.exchange, routingKey, version, payload: payload as object };
}
