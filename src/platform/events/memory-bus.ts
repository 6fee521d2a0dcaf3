import mittModule, { type Emitter } from 'mitt';
import { isTransientFailure } from '../db/failures.js';
import type { EventEnvelope } from './envelope.js';
import {
  type BusObserver,
  type DeadLetter,
  type Delivery,
  type DeliveryHandler,
  type EventBus,
  type PublishOptions,
  type QueueBinding,
  type RetryPolicy,
  retryDelay,
  transientRetryDelay,
} from './event-bus.js';
import { topicMatches } from './topic-pattern.js';

interface Published {
  routingKey: string;
  body: string;
  settlement: Settlement;
}

/** Counts the queue copies of one published message still to be handled or parked. */
interface Settlement {
  copies: number;
  settle(): void;
  abandon(reason: Error): void;
}

interface PendingDelivery {
  exchange: string;
  routingKey: string;
  body: string;
  attempt: number;
  /** Transient failures met so far: they set the backoff, and never count as attempts. */
  transientRetries?: number;
  settlement: Settlement;
}

interface MemoryQueue {
  name: string;
  bindings: { exchange: string; patterns: readonly string[] }[];
  ready: PendingDelivery[];
  consumers: DeliveryHandler[];
  nextConsumer: number;
  inFlight: number;
}

export interface MemoryBusOptions extends RetryPolicy {
  deadLetter(entry: DeadLetter): Promise<void>;
  observer?: BusObserver;
  onError?(error: unknown): void;
}

// mitt ships ESM whose typings read as CommonJS under NodeNext; take the function either way.
const mitt = ((mittModule as unknown as { default?: unknown }).default ??
  mittModule) as typeof mittModule.default;

/**
 * The in-process bus, with RabbitMQ's topic semantics so that swapping buses changes nothing:
 * messages are copied as JSON (no shared objects), each queue buffers until consumed, consumers
 * of one queue compete, a failing delivery is retried later without holding back the queue.
 */
export class MemoryEventBus implements EventBus {
  readonly kind = 'memory';
  private readonly emitter: Emitter<Record<string, Published>> = mitt();
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly idleWaiters = new Set<() => void>();
  private readonly unsettled = new Set<Settlement>();
  private closed = false;
  private paused = false;

  constructor(private readonly options: MemoryBusOptions) {}

  async declare(exchanges: readonly string[], bindings: readonly QueueBinding[]): Promise<void> {
    void exchanges;
    for (const binding of bindings) this.bind(binding);
  }

  private bind(binding: QueueBinding): void {
    let queue = this.queues.get(binding.queue);
    if (!queue) {
      queue = { name: binding.queue, bindings: [], ready: [], consumers: [], nextConsumer: 0, inFlight: 0 };
      this.queues.set(binding.queue, queue);
    }
    const existing = queue.bindings.find((known) => known.exchange === binding.exchange);
    if (existing) {
      existing.patterns = [...new Set([...existing.patterns, ...binding.patterns])];
      return;
    }
    const target = queue;
    const entry = { exchange: binding.exchange, patterns: [...binding.patterns] };
    target.bindings.push(entry);
    this.emitter.on(binding.exchange, (published) => {
      if (!entry.patterns.some((pattern) => topicMatches(pattern, published.routingKey))) return;
      published.settlement.copies++;
      target.ready.push({
        exchange: binding.exchange,
        routingKey: published.routingKey,
        body: published.body,
        attempt: 1,
        settlement: published.settlement,
      });
      this.dispatch(target);
    });
  }

  /**
   * Resolves once every queue's copy has been handled or parked, not when it is merely buffered:
   * memory does not survive the process, so the outbox row stays unsent (and is sent again after a
   * crash, the inbox dropping what was already applied) until the work is really done.
   * With `options.queue` the copy goes straight into that one queue (AMQP's default exchange).
   */
  async publish(
    exchange: string,
    routingKey: string,
    message: EventEnvelope,
    options: PublishOptions = {},
  ): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    const target = options.queue === undefined ? undefined : this.queues.get(options.queue);
    if (options.queue !== undefined && !target) throw new Error(`queue ${options.queue} is not declared`);
    let resolve!: () => void;
    let reject!: (reason: Error) => void;
    const promise = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    const unsettled = this.unsettled;
    const settlement: Settlement = {
      copies: 0,
      settle() {
        this.copies--;
        if (this.copies > 0) return;
        unsettled.delete(this);
        resolve();
      },
      abandon(reason) {
        unsettled.delete(this);
        reject(reason);
      },
    };
    const body = JSON.stringify(message);
    if (target) {
      settlement.copies++;
      target.ready.push({ exchange, routingKey, body, attempt: 1, settlement });
      this.dispatch(target);
    } else {
      this.emitter.emit(exchange, { routingKey, body, settlement });
      this.options.observer?.published?.(exchange, routingKey);
    }
    if (settlement.copies === 0) return;
    this.unsettled.add(settlement);
    await promise;
  }

  async subscribe(queueName: string, handler: DeliveryHandler): Promise<void> {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`queue ${queueName} is not declared`);
    queue.consumers.push(handler);
    this.dispatch(queue);
  }

  async start(): Promise<void> {}

  async pause(): Promise<void> {
    this.paused = true;
  }

  async resume(): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    for (const queue of this.queues.values()) this.dispatch(queue);
  }

  isHealthy(): boolean {
    return !this.closed;
  }

  /** Resolves when no delivery is in flight, buffered or waiting for a retry. */
  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const queue of this.queues.values()) queue.ready.length = 0;
    while ([...this.queues.values()].some((queue) => queue.inFlight > 0)) {
      await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
    }
    this.emitter.all.clear();
    for (const settlement of [...this.unsettled])
      settlement.abandon(new Error('event bus closed before delivery'));
  }

  private isIdle(): boolean {
    if (this.retryTimers.size > 0) return false;
    for (const queue of this.queues.values()) {
      if (queue.inFlight > 0 || (queue.ready.length > 0 && queue.consumers.length > 0)) return false;
    }
    return true;
  }

  private notifyIfIdle(): void {
    if (!this.closed && !this.isIdle()) return;
    if (this.closed && [...this.queues.values()].some((queue) => queue.inFlight > 0)) return;
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters.clear();
  }

  private dispatch(queue: MemoryQueue): void {
    const capacity = this.options.prefetch * queue.consumers.length;
    while (!this.closed && !this.paused && queue.ready.length > 0 && queue.inFlight < capacity) {
      const pending = queue.ready.shift()!;
      const handler = queue.consumers[queue.nextConsumer % queue.consumers.length]!;
      queue.nextConsumer++;
      queue.inFlight++;
      void this.deliver(queue, handler, pending);
    }
  }

  private async deliver(
    queue: MemoryQueue,
    handler: DeliveryHandler,
    pending: PendingDelivery,
  ): Promise<void> {
    const delivery: Delivery = {
      queue: queue.name,
      exchange: pending.exchange,
      routingKey: pending.routingKey,
      message: JSON.parse(pending.body) as EventEnvelope,
      attempt: pending.attempt,
    };
    try {
      await handler(delivery);
      this.options.observer?.consumed?.(queue.name);
      pending.settlement.settle();
    } catch (error) {
      this.options.observer?.failed?.(queue.name);
      if (isTransientFailure(error)) this.retryLater(queue, pending);
      else await this.retryOrPark(queue, pending, error);
    } finally {
      queue.inFlight--;
      this.dispatch(queue);
      this.notifyIfIdle();
    }
  }

  private async retryOrPark(queue: MemoryQueue, pending: PendingDelivery, error: unknown): Promise<void> {
    if (this.closed) return;
    if (pending.attempt >= this.options.maxAttempts) {
      try {
        await this.options.deadLetter({
          queue: queue.name,
          exchange: pending.exchange,
          routingKey: pending.routingKey,
          message: JSON.parse(pending.body) as EventEnvelope,
          error: error instanceof Error ? error.message : String(error),
          attempts: pending.attempt,
        });
        this.options.observer?.deadLettered?.(queue.name);
        pending.settlement.settle();
      } catch (parkError) {
        this.options.onError?.(parkError);
      }
      return;
    }
    this.requeue(
      queue,
      { ...pending, attempt: pending.attempt + 1 },
      retryDelay(this.options, pending.attempt),
    );
  }

  /** A transient failure: the same attempt again later, however often (see transientRetryDelay). */
  private retryLater(queue: MemoryQueue, pending: PendingDelivery): void {
    if (this.closed) return;
    const retries = pending.transientRetries ?? 0;
    this.requeue(
      queue,
      { ...pending, transientRetries: retries + 1 },
      transientRetryDelay(this.options, retries),
    );
  }

  private requeue(queue: MemoryQueue, pending: PendingDelivery, delayMs: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      queue.ready.push(pending);
      this.dispatch(queue);
      this.notifyIfIdle();
    }, delayMs);
    this.retryTimers.add(timer);
  }
}
