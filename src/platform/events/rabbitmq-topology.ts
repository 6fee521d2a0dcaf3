import type { Channel } from 'amqplib';
import type { QueueBinding } from './event-bus.js';
import { topicMatches } from './topic-pattern.js';

/**
 * The broker's own bound on deliveries of one message copy that were never acknowledged (the
 * consumer crashed or lost its connection). Handler failures never reach it: they are acked and
 * retried as a new copy through `<queue>.retry`, counted by `x-attempt` against EVENT_MAX_ATTEMPTS.
 * It is a constant, not the configured attempts, because RabbitMQ refuses to re-declare a queue
 * with other arguments: a changed setting would otherwise stop every process from starting.
 */
export const BROKER_DELIVERY_LIMIT = 20;

export const retryQueueOf = (queue: string) => `${queue}.retry`;
export const deadLetterQueueOf = (queue: string) => `${queue}.dlq`;

/** Quorum queues count every return (`x-delivery-count`) and dead-letter with confirms (at-least-once). */
function quorumArguments(deadLetterTo: string): Record<string, unknown> {
  return {
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': deadLetterTo,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
}

/**
 * Per consuming queue: the queue itself (whose given-up copies go to `.dlq`), `.retry` where a
 * failed copy waits its backoff (per-message TTL) before dead-lettering back into the queue, and
 * `.dlq` where messages are parked for people to look at.
 */
export function queueArguments(queue: string): Record<string, Record<string, unknown>> {
  return {
    [queue]: { ...quorumArguments(deadLetterQueueOf(queue)), 'x-delivery-limit': BROKER_DELIVERY_LIMIT },
    [retryQueueOf(queue)]: quorumArguments(queue),
    [deadLetterQueueOf(queue)]: { 'x-queue-type': 'classic' },
  };
}

/** What this process has declared, kept so it can be declared again after a reconnect. */
export class RabbitTopology {
  private readonly exchanges = new Set<string>();
  /** queue → exchange → patterns */
  private readonly queues = new Map<string, Map<string, Set<string>>>();

  add(exchanges: readonly string[], bindings: readonly QueueBinding[]): void {
    for (const exchange of exchanges) this.exchanges.add(exchange);
    for (const binding of bindings) {
      this.exchanges.add(binding.exchange);
      const sources = this.queues.get(binding.queue) ?? new Map<string, Set<string>>();
      this.queues.set(binding.queue, sources);
      const patterns = sources.get(binding.exchange) ?? new Set<string>();
      sources.set(binding.exchange, patterns);
      for (const pattern of binding.patterns) patterns.add(pattern);
    }
  }

  hasExchange(exchange: string): boolean {
    return this.exchanges.has(exchange);
  }

  hasQueue(queue: string): boolean {
    return this.queues.has(queue);
  }

  /** Whether some declared queue should receive this key: a broker return then means lost topology. */
  routes(exchange: string, routingKey: string): boolean {
    for (const sources of this.queues.values()) {
      const patterns = sources.get(exchange);
      if (patterns && [...patterns].some((pattern) => topicMatches(pattern, routingKey))) return true;
    }
    return false;
  }

  all(): { exchanges: string[]; bindings: QueueBinding[] } {
    const bindings = [...this.queues].flatMap(([queue, sources]) =>
      [...sources].map(([exchange, patterns]) => ({ queue, exchange, patterns: [...patterns] })),
    );
    return { exchanges: [...this.exchanges], bindings };
  }
}

/** Idempotent: declaring what exists with the same arguments changes nothing. */
export async function declareTopology(
  channel: Channel,
  exchanges: readonly string[],
  bindings: readonly QueueBinding[],
): Promise<void> {
  const allExchanges = new Set([...exchanges, ...bindings.map((binding) => binding.exchange)]);
  for (const exchange of allExchanges) await channel.assertExchange(exchange, 'topic', { durable: true });
  for (const binding of bindings) {
    for (const [queue, args] of Object.entries(queueArguments(binding.queue))) {
      await channel.assertQueue(queue, { durable: true, arguments: args });
    }
    for (const pattern of binding.patterns) await channel.bindQueue(binding.queue, binding.exchange, pattern);
  }
}
