import type { FastifyBaseLogger } from 'fastify';
import type { EventEnvelope } from './envelope.js';
import type { BusObserver, DeliveryHandler, EventBus, QueueBinding, RetryPolicy } from './event-bus.js';

export interface RabbitBusOptions extends RetryPolicy {
  url: string;
  observer?: BusObserver;
  logger: FastifyBaseLogger;
}

/** Placeholder until the RabbitMQ issue lands: selecting AMQP_URL fails loudly at start. */
export class RabbitEventBus implements EventBus {
  readonly kind = 'rabbitmq';
  constructor(readonly options: RabbitBusOptions) {}
  async declare(_exchanges: readonly string[], _bindings: readonly QueueBinding[]): Promise<void> {}
  async publish(_exchange: string, _routingKey: string, _message: EventEnvelope): Promise<void> {
    throw new Error('RabbitMQ bus not implemented yet');
  }
  async subscribe(_queue: string, _handler: DeliveryHandler): Promise<void> {}
  async start(): Promise<void> {
    throw new Error('RabbitMQ bus not implemented yet (issue 7)');
  }
  isHealthy(): boolean {
    return false;
  }
  async close(): Promise<void> {}
}
