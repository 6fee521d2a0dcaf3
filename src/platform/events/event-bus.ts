import type { EventEnvelope } from './envelope.js';

/** A durable queue `<module>.<exchange>` bound to one exchange with topic patterns. */
export interface QueueBinding {
  queue: string;
  exchange: string;
  patterns: readonly string[];
}

export interface Delivery {
  queue: string;
  exchange: string;
  routingKey: string;
  message: EventEnvelope;
  /** 1 on the first delivery, growing with each retry. */
  attempt: number;
}

export type DeliveryHandler = (delivery: Delivery) => Promise<void>;

export interface PublishOptions {
  /**
   * Only this queue gets the message (a replayed dead letter), delivered as if `exchange` had routed
   * it with `routingKey`, as a first attempt. On RabbitMQ it goes through the default exchange.
   */
  queue?: string;
}

export interface DeadLetter {
  queue: string;
  exchange: string;
  routingKey: string;
  message: EventEnvelope;
  error: string;
  attempts: number;
}

/** What the bus reports, so that metrics stay outside of it. */
export interface BusObserver {
  published?(exchange: string, routingKey: string): void;
  consumed?(queue: string): void;
  failed?(queue: string): void;
  deadLettered?(queue: string): void;
}

/**
 * The one interface modules' events travel through. Topic semantics are AMQP's: one queue shared by
 * its consumers (competing), every queue bound to a key gets its own copy.
 */
export interface EventBus {
  readonly kind: 'memory' | 'rabbitmq';
  /** Declares exchanges and queues with their bindings; messages wait in a queue until it is consumed. */
  declare(exchanges: readonly string[], bindings: readonly QueueBinding[]): Promise<void>;
  /** Resolves once the broker holds the message (publisher confirm). */
  publish(
    exchange: string,
    routingKey: string,
    message: EventEnvelope,
    options?: PublishOptions,
  ): Promise<void>;
  /** Consumes a declared queue. A handler that throws is retried with backoff, then dead-lettered. */
  subscribe(queue: string, handler: DeliveryHandler): Promise<void>;
  start(): Promise<void>;
  isHealthy(): boolean;
  /** Stops taking deliveries, waits for handlers in flight, then releases the connection. */
  close(): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  retryDelayMs: number;
  prefetch: number;
}

/** Exponential backoff with a ceiling, so a poison message does not spin. */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.retryDelayMs * 2 ** (attempt - 1), 30_000);
}
