import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { FastifyBaseLogger } from 'fastify';
import type { EventEnvelope } from './envelope.js';
import type {
  BusObserver,
  DeliveryHandler,
  EventBus,
  PublishOptions,
  QueueBinding,
  RetryPolicy,
} from './event-bus.js';
import { RabbitConnection } from './rabbitmq-connection.js';
import { type ConsumerContext, type CopyProperties, handleDelivery } from './rabbitmq-consumer.js';
import { ConfirmPublisher } from './rabbitmq-publisher.js';
import { type RabbitSubscription, RabbitSubscriptions } from './rabbitmq-subscription.js';
import { declareTopology, RabbitTopology } from './rabbitmq-topology.js';

export interface RabbitBusOptions extends RetryPolicy {
  url: string;
  observer?: BusObserver;
  logger: FastifyBaseLogger;
  /** Called each time the connection is back after it was lost (not on the first connect). */
  onReconnected?: () => void;
}

/** Thrown at once while there is no connection, so the outbox relay keeps the row and retries later. */
export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

const CLOSE_DRAIN_MS = 5_000;

/**
 * The EventBus on RabbitMQ (see docs/rabbitmq.md). One connection (rabbitmq-connection.ts, which
 * drops and remakes it whatever fails) with a confirm channel for every publish and one channel per
 * consumer; each new connection declares the topology again and resumes every consumer. While
 * disconnected, publishes reject at once and `isHealthy()` is false; deliveries in flight finish,
 * their acks are lost, and the broker redelivers them to an inbox that has already recorded them.
 */
export class RabbitEventBus implements EventBus {
  readonly kind = 'rabbitmq';
  private readonly topology = new RabbitTopology();
  private readonly subscriptions = new RabbitSubscriptions(() => this.closing);
  private readonly inFlight = new Set<Promise<void>>();
  private readonly link: RabbitConnection;
  private publisher: ConfirmPublisher | undefined;
  private started = false;
  private closing = false;
  private redeclaring: Promise<void> | undefined;
  private readonly consumerContext: ConsumerContext;

  constructor(readonly options: RabbitBusOptions) {
    this.link = new RabbitConnection({
      url: options.url,
      logger: options.logger,
      setUp: (connection) => this.setUp(connection),
      dropped: (reason) => {
        this.publisher?.fail(reason);
        this.publisher = undefined;
        this.subscriptions.detach();
      },
      ...(options.onReconnected ? { onReconnected: options.onReconnected } : {}),
      closing: () => this.closing,
    });
    this.consumerContext = {
      policy: options,
      observer: options.observer,
      logger: options.logger,
      sendToQueue: (queue, content, properties) => this.sendToQueue(queue, content, properties),
    };
  }

  /** Connects once; if the broker is away the app starts anyway and the bus keeps trying. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.link.start();
  }

  async declare(exchanges: readonly string[], bindings: readonly QueueBinding[]): Promise<void> {
    this.topology.add(exchanges, bindings);
    const connection = this.link.usable;
    if (!connection) return;
    await this.link.unlessLost(connection, () =>
      this.link.onChannel(connection, (channel) => declareTopology(channel, exchanges, bindings)),
    );
  }

  async publish(
    exchange: string,
    routingKey: string,
    message: EventEnvelope,
    options: PublishOptions = {},
  ): Promise<void> {
    if (this.closing) throw new Error('event bus is closed');
    if (!this.topology.hasExchange(exchange)) throw new Error(`exchange ${exchange} is not declared`);
    if (options.queue !== undefined && !this.topology.hasQueue(options.queue))
      throw new Error(`queue ${options.queue} is not declared`);
    const publisher = this.publisher;
    if (!this.link.usable || !publisher) throw new BrokerUnavailableError('RabbitMQ is not connected');
    if (this.link.blocked)
      throw new BrokerUnavailableError('RabbitMQ is blocking publishers (resource alarm)');
    const properties = {
      persistent: true,
      contentType: 'application/json',
      messageId: message.event_id,
      type: message.event,
      timestamp: Math.floor(Date.now() / 1000),
    };
    const content = Buffer.from(JSON.stringify(message));
    if (options.queue !== undefined)
      return this.publishToQueue(publisher, options.queue, { exchange, routingKey, content, properties });
    const outcome = await publisher.publish(exchange, routingKey, content, properties);
    if (outcome === 'returned' && this.topology.routes(exchange, routingKey)) {
      this.redeclareSoon();
      throw new Error(
        `RabbitMQ returned ${routingKey} from ${exchange}: its queues are missing; re-declaring`,
      );
    }
    // A key no declared queue listens to is dropped by the broker, as the in-memory bus drops it.
    this.options.observer?.published?.(exchange, routingKey);
  }

  /** Through the default exchange; the consumer takes the original address from the headers. */
  private async publishToQueue(
    publisher: ConfirmPublisher,
    queue: string,
    copy: {
      exchange: string;
      routingKey: string;
      content: Buffer;
      properties: Options.Publish & { messageId: string };
    },
  ): Promise<void> {
    const headers = { 'x-exchange': copy.exchange, 'x-routing-key': copy.routingKey };
    const outcome = await publisher.publish('', queue, copy.content, { ...copy.properties, headers });
    if (outcome === 'returned') {
      this.redeclareSoon();
      throw new Error(`RabbitMQ returned a message for queue ${queue}: it is missing; re-declaring`);
    }
  }

  async subscribe(queue: string, handler: DeliveryHandler): Promise<void> {
    if (!this.topology.hasQueue(queue)) throw new Error(`queue ${queue} is not declared`);
    if (this.closing) throw new Error('event bus is closed');
    const subscription = this.subscriptions.add(queue, handler);
    const connection = this.link.usable;
    if (connection) await this.link.unlessLost(connection, () => this.attach(connection, subscription));
  }

  isHealthy(): boolean {
    return this.link.usable !== undefined && !this.closing;
  }

  /** Cancels every consumer; their channels stay, so that deliveries in hand are still acked. */
  pause(): Promise<void> {
    return this.subscriptions.pause();
  }

  /** Consumes again (after a reconnect, the new channels do). */
  async resume(): Promise<void> {
    const connection = this.link.usable;
    await this.subscriptions.resume((work) =>
      connection ? this.link.unlessLost(connection, work) : Promise.resolve(),
    );
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.link.stopReconnecting();
    await this.subscriptions.cancel();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.publisher?.drain(CLOSE_DRAIN_MS);
    await this.link.end(new Error('event bus is closed'));
  }

  /** What lives on each new connection: the confirm channel, the topology, every consumer. */
  private async setUp(connection: ChannelModel): Promise<void> {
    const channel = await connection.createConfirmChannel();
    this.link.watch(connection, channel, 'publishing');
    const { exchanges, bindings } = this.topology.all();
    await this.link.onChannel(connection, (declaring) => declareTopology(declaring, exchanges, bindings));
    // Before the consumers: a failed delivery needs the publisher to pass its copy on.
    this.publisher = new ConfirmPublisher(channel);
    for (const subscription of this.subscriptions) await this.attach(connection, subscription);
  }

  /** The subscription's channel on this connection; it consumes unless the bus is paused. */
  private async attach(connection: ChannelModel, subscription: RabbitSubscription): Promise<void> {
    const channel = await connection.createChannel();
    this.link.watch(connection, channel, `consuming ${subscription.queue}`);
    await channel.prefetch(this.options.prefetch);
    await subscription.attach(
      channel,
      (on, raw) => this.onDelivery(connection, on, subscription, raw),
      this.subscriptions.holding,
    );
  }

  private onDelivery(
    connection: ChannelModel,
    channel: Channel,
    subscription: RabbitSubscription,
    raw: ConsumeMessage | null,
  ): void {
    if (raw === null) {
      // The broker cancelled the consumer (its queue was deleted or moved): start over.
      this.link.lost(connection, new Error(`RabbitMQ cancelled the consumer of ${subscription.queue}`));
      return;
    }
    const work = handleDelivery(subscription.queue, channel, raw, subscription.handler, this.consumerContext)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'event delivery failed'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Re-declares everything after the broker returned a message some declared queue should take. */
  private redeclareSoon(): void {
    const connection = this.link.usable;
    if (this.redeclaring || !connection) return;
    const { exchanges, bindings } = this.topology.all();
    this.redeclaring = this.link
      .onChannel(connection, (channel) => declareTopology(channel, exchanges, bindings))
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'could not re-declare the topology'),
      )
      .finally(() => {
        this.redeclaring = undefined;
      });
  }

  private async sendToQueue(queue: string, content: Buffer, properties: CopyProperties): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) throw new BrokerUnavailableError('RabbitMQ is not connected');
    const outcome = await publisher.publish('', queue, content, {
      ...properties,
      persistent: true,
      contentType: 'application/json',
    });
    if (outcome === 'returned') throw new Error(`queue ${queue} does not exist`);
  }
}
