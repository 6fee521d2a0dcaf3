import { randomUUID } from 'node:crypto';

/** The wire shape of every event: the envelope fields, then the event's own payload. */
export interface EventEnvelope {
  event_id: string;
  event: string;
  timestamp: string;
  version: number;
  [field: string]: unknown;
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
