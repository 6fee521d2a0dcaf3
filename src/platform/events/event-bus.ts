import { type Backoff, backoffDelay } from '../backoff.js';
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
  /**
   * Consumes a declared queue. A handler that throws is retried with backoff, then dead-lettered.
   * A failure the platform classes transient (the database unreachable, a deadlock — see
   * db/failures.ts) is retried too, with a capped backoff, without using up `maxAttempts`.
   */
  subscribe(queue: string, handler: DeliveryHandler): Promise<void>;
  start(): Promise<void>;
  isHealthy(): boolean;
  /**
   * Stops taking deliveries (while the database cannot be reached, so that messages wait in their
   * queues instead of cycling through retries); deliveries in hand go on. Idempotent.
   */
  pause(): Promise<void>;
  /** Takes deliveries again after `pause`. Idempotent. */
  resume(): Promise<void>;
  /** Stops taking deliveries, waits for handlers in flight, then releases the connection. */
  close(): Promise<void>;
}

export interface RetryPolicy {
  maxAttempts: number;
  retryDelayMs: number;
  prefetch: number;
}

/**
 * The wait after attempt `attempt` (from 1) of a delivery failed in its handler, before the next:
 * from the retry delay, doubling, at most 30 s, so a poison message does not spin. Not jittered: the schedule an
 * operator reads in EVENT_RETRY_DELAY_MS is the one kept.
 */
export function retryDelay(policy: RetryPolicy, attempt: number): number {
  return backoffDelay({ firstMs: policy.retryDelayMs, maxMs: 30_000 }, attempt - 1);
}

/**
 * The wait before the `retries`-th retry (from 0) of a delivery that failed transiently: from the
 * retry delay (at least 100 ms), doubling, at most 5 s (the database's return is met within
 * seconds), jittered so that retries do not come back in step. It never counts as an attempt.
 */
export function transientRetryDelay(policy: RetryPolicy, retries: number): number {
  const backoff: Backoff = { firstMs: Math.max(policy.retryDelayMs, 100), maxMs: 5_000, jitter: 0.25 };
  return backoffDelay(backoff, retries);
}
