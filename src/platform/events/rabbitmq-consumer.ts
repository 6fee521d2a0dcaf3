import type { Channel, ConsumeMessage } from 'amqplib';
import type { FastifyBaseLogger } from 'fastify';
import { isTransientFailure } from '../db/failures.js';
import type { EventEnvelope } from './envelope.js';
import {
  type BusObserver,
  type DeliveryHandler,
  type RetryPolicy,
  retryDelay,
  transientRetryDelay,
} from './event-bus.js';
import { deadLetterQueueOf, retryQueueOf } from './rabbitmq-topology.js';

export interface ConsumerContext {
  policy: RetryPolicy;
  observer?: BusObserver | undefined;
  logger: FastifyBaseLogger;
  /** Puts a copy in a queue through the confirm channel; resolves on the confirm, rejects otherwise. */
  sendToQueue(queue: string, content: Buffer, properties: CopyProperties): Promise<void>;
}

export interface CopyProperties {
  messageId: string;
  headers: Record<string, unknown>;
  expiration?: string;
}

/** Headers the broker adds on each trip through a queue; a fresh copy starts without them. */
const BROKER_HEADERS = ['x-death', 'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason'];

function integerHeader(value: unknown, fallback: number): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 0 ? number : fallback;
}

function stringHeader(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function parseEnvelope(content: Buffer): EventEnvelope {
  const parsed: unknown = JSON.parse(content.toString('utf8'));
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    typeof (parsed as EventEnvelope).event_id !== 'string'
  ) {
    throw new Error('not an event envelope (no event_id)');
  }
  return parsed as EventEnvelope;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 2000);

/**
 * One delivery from `queue`: run the handler, then ack. A failure is acked only once its next copy
 * is confirmed by the broker — in `<queue>.retry` with the next `x-attempt` and a TTL that is the
 * backoff, or in `<queue>.dlq` after the last attempt — so nothing is lost between the two.
 * The attempt counts copies (`x-attempt`) plus unacknowledged returns of this copy
 * (`x-delivery-count`, kept by the quorum queue), so a message that kills its consumer is parked too.
 * A transient failure (the database away, a deadlock) is not an attempt: its copy keeps the same
 * `x-attempt` and counts `x-transient-retries` instead, which only sets its backoff (never parked
 * for it; the consumers pause while the database is unreachable, so these do not pile up).
 */
export async function handleDelivery(
  queue: string,
  channel: Channel,
  raw: ConsumeMessage,
  handler: DeliveryHandler,
  context: ConsumerContext,
): Promise<void> {
  const headers: Record<string, unknown> = { ...(raw.properties.headers ?? {}) };
  const exchange = stringHeader(headers['x-exchange']) ?? raw.fields.exchange;
  const routingKey = stringHeader(headers['x-routing-key']) ?? raw.fields.routingKey;
  const attempt = integerHeader(headers['x-attempt'], 1) + integerHeader(headers['x-delivery-count'], 0);
  for (const name of [...BROKER_HEADERS, 'x-delivery-count']) delete headers[name];
  const copy = (extra: Record<string, unknown>): CopyProperties => ({
    messageId: String(raw.properties.messageId ?? ''),
    headers: { ...headers, 'x-exchange': exchange, 'x-routing-key': routingKey, ...extra },
  });
  const park = async (error: string, attempts: number) => {
    const properties = copy({
      'x-queue': queue,
      'x-error': error,
      'x-attempts': attempts,
      'x-parked-at': new Date().toISOString(),
    });
    await context.sendToQueue(deadLetterQueueOf(queue), raw.content, properties);
    context.observer?.deadLettered?.(queue);
    context.logger.error(
      { queue, routingKey, messageId: properties.messageId, error, attempts },
      'event parked',
    );
  };

  await settle(channel, raw, context, async () => {
    let message: EventEnvelope;
    try {
      message = parseEnvelope(raw.content);
    } catch (error) {
      return park(errorText(error), attempt);
    }
    if (attempt > context.policy.maxAttempts) {
      return park(`delivered ${attempt - 1} times without an acknowledgement`, attempt - 1);
    }
    try {
      await handler({ queue, exchange, routingKey, message, attempt });
      context.observer?.consumed?.(queue);
    } catch (error) {
      context.observer?.failed?.(queue);
      if (isTransientFailure(error)) {
        const retries = integerHeader(headers['x-transient-retries'], 0);
        const properties = copy({
          'x-attempt': attempt,
          'x-transient-retries': retries + 1,
          'x-last-error': errorText(error),
        });
        properties.expiration = String(transientRetryDelay(context.policy, retries));
        return context.sendToQueue(retryQueueOf(queue), raw.content, properties);
      }
      if (attempt >= context.policy.maxAttempts) return park(errorText(error), attempt);
      const properties = copy({ 'x-attempt': attempt + 1, 'x-last-error': errorText(error) });
      properties.expiration = String(retryDelay(context.policy, attempt));
      await context.sendToQueue(retryQueueOf(queue), raw.content, properties);
    }
  });
}

/**
 * Acks when `work` is done. If the next copy could not be confirmed the delivery goes back to the
 * queue (its delivery count grows, so it cannot loop). On a channel that is already gone there is
 * nothing to do: the broker has put the message back, and the inbox skips it if it was applied.
 */
async function settle(
  channel: Channel,
  raw: ConsumeMessage,
  context: ConsumerContext,
  work: () => Promise<void>,
): Promise<void> {
  let done = false;
  try {
    await work();
    done = true;
  } catch (error) {
    context.logger.warn({ err: error }, 'could not pass a failed event on; it goes back to its queue');
  }
  try {
    if (done) channel.ack(raw);
    else channel.nack(raw, false, true);
  } catch {
    context.logger.debug('channel closed before the ack; the broker redelivers');
  }
}
