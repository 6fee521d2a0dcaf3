import { randomUUID } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';

/** The wire shape of every event: the envelope fields, then the event's own payload. */
export interface EventEnvelope {
  event_id: string;
  event: string;
  timestamp: string;
  version: number;
  [field: string]: unknown;
}

/** One event a module publishes: its routing key and the payload beyond the envelope. */
export interface EventDefinition {
  routingKey: string;
  /** The payload beyond the envelope (`event_id, event, timestamp, version`). */
  payload: TSchema;
  description: string;
}

/**
 * What a module publishes: its exchange and events, declared in the module's `contract.ts`, the one
 * file other modules may import values from.
 */
export interface ModuleContract {
  exchange: string;
  events: readonly EventDefinition[];
}

/** `product.created` travels with `event: "product_created"`, as the original services sent it. */
export function eventName(routingKey: string): string {
  return routingKey.replaceAll('.', '_');
}

export function createEnvelope(routingKey: string, version: number, payload: object): EventEnvelope {
  return {
    ...payload,
    event_id: randomUUID(),
    event: eventName(routingKey),
    timestamp: new Date().toISOString(),
    version,
  };
}
