import { hostname } from 'node:os';
import { type Channel, type ChannelModel, type ConsumeMessage, connect, type Options } from 'amqplib';
import type { FastifyBaseLogger } from 'fastify';
import { type Backoff, backoffDelay } from '../backoff.js';
import type { EventEnvelope } from './envelope.js';
import type {
  BusObserver,
  DeliveryHandler,
  EventBus,
  PublishOptions,
  QueueBinding,
  RetryPolicy,
} from './event-bus.js';
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

const HEARTBEAT_SECONDS = 10;
const CONNECT_TIMEOUT_MS = 5_000;
/** From 200 ms, doubling, at most 5 s; jittered so that replicas do not reconnect in step. */
const RECONNECT: Backoff = { firstMs: 200, maxMs: 5_000, jitter: 0.5 };
const CLOSE_DRAIN_MS = 5_000;

function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(HEARTBEAT_SECONDS));
  return parsed.toString();
}

/**
 * The EventBus on RabbitMQ (see docs/rabbitmq.md). One connection with a confirm channel for every
 * publish and one channel per consumer. Whatever fails — the socket, the broker, a channel — is
 * handled one way: drop the whole connection and reconnect with backoff, declaring the topology
 * again and resuming every consumer. While disconnected, publishes reject at once and
 * `isHealthy()` is false; deliveries in flight finish, their acks are lost, and the broker
 * redelivers them to an inbox that has already recorded them.
 */
export class RabbitEventBus implements EventBus {
  readonly kind = 'rabbitmq';
  private readonly topology = new RabbitTopology();
  private readonly subscriptions = new RabbitSubscriptions(() => this.closing);
  private readonly inFlight = new Set<Promise<void>>();
  private connection: ChannelModel | undefined;
  private publisher: ConfirmPublisher | undefined;
  private connected = false;
  private blocked = false;
  private started = false;
  private everConnected = false;
  private closing = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private connecting: Promise<void> | undefined;
  private redeclaring: Promise<void> | undefined;
  private readonly consumerContext: ConsumerContext;

  constructor(readonly options: RabbitBusOptions) {
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
    await this.connect().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'RabbitMQ is unreachable; events wait in the outbox');
      this.scheduleReconnect();
    });
  }

  async declare(exchanges: readonly string[], bindings: readonly QueueBinding[]): Promise<void> {
    this.topology.add(exchanges, bindings);
    const connection = this.connection;
    if (!this.connected || !connection) return;
    await this.unlessLost(connection, () =>
      this.onChannel(connection, (channel) => declareTopology(channel, exchanges, bindings)),
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
    if (!this.connected || !publisher) throw new BrokerUnavailableError('RabbitMQ is not connected');
    if (this.blocked) throw new BrokerUnavailableError('RabbitMQ is blocking publishers (resource alarm)');
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
    const connection = this.connection;
    if (this.connected && connection)
      await this.unlessLost(connection, () => this.attach(connection, subscription));
  }

  isHealthy(): boolean {
    return this.connected && !this.closing;
  }

  /** Cancels every consumer; their channels stay, so that deliveries in hand are still acked. */
  pause(): Promise<void> {
    return this.subscriptions.pause();
  }

  /** Consumes again (after a reconnect, the new channels do). */
  async resume(): Promise<void> {
    const connection = this.connection;
    await this.subscriptions.resume((work) =>
      this.connected && connection ? this.unlessLost(connection, work) : Promise.resolve(),
    );
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => {});
    await this.subscriptions.cancel();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.publisher?.drain(CLOSE_DRAIN_MS);
    const connection = this.connection;
    this.dropConnection(new Error('event bus is closed'));
    await connection?.close().catch(() => {});
  }

  /** A failure because the connection went away is not the caller's: the reconnect redoes the work. */
  private async unlessLost(connection: ChannelModel, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (this.connection === connection && this.connected) throw error;
    }
  }

  private connect(): Promise<void> {
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<void> {
    const connection = await connect(withHeartbeat(this.options.url), {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: `mascotas ${hostname()} pid ${process.pid}` },
    });
    this.connection = connection;
    connection.on('error', (error: Error) =>
      this.options.logger.warn({ err: error }, 'RabbitMQ connection error'),
    );
    connection.on('close', () => this.lost(connection, new Error('RabbitMQ connection closed')));
    connection.on('blocked', (reason: string) => {
      this.blocked = true;
      this.options.logger.warn({ reason }, 'RabbitMQ blocks publishers');
    });
    connection.on('unblocked', () => {
      this.blocked = false;
    });
    try {
      const channel = await connection.createConfirmChannel();
      this.watch(connection, channel, 'publishing');
      const { exchanges, bindings } = this.topology.all();
      await this.onChannel(connection, (declaring) => declareTopology(declaring, exchanges, bindings));
      // Before the consumers: a failed delivery needs the publisher to pass its copy on.
      this.publisher = new ConfirmPublisher(channel);
      for (const subscription of this.subscriptions) await this.attach(connection, subscription);
      if (this.closing) throw new Error('event bus closed while connecting');
    } catch (error) {
      this.lost(connection, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    this.connected = true;
    this.blocked = false;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.failedAttempts = 0;
    if (reconnected) {
      this.options.logger.info('RabbitMQ connection restored');
      this.options.onReconnected?.();
    }
  }

  /** Runs `work` on a short-lived channel, so that a refused declaration does not close another. */
  private async onChannel(
    connection: ChannelModel,
    work: (channel: Channel) => Promise<void>,
  ): Promise<void> {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /** The subscription's channel on this connection; it consumes unless the bus is paused. */
  private async attach(connection: ChannelModel, subscription: RabbitSubscription): Promise<void> {
    const channel = await connection.createChannel();
    this.watch(connection, channel, `consuming ${subscription.queue}`);
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
      this.lost(connection, new Error(`RabbitMQ cancelled the consumer of ${subscription.queue}`));
      return;
    }
    const work = handleDelivery(subscription.queue, channel, raw, subscription.handler, this.consumerContext)
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'event delivery failed'))
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** A channel that closes while its connection is meant to live takes the connection with it. */
  private watch(connection: ChannelModel, channel: Channel, role: string): void {
    channel.on('error', (error: Error) =>
      this.options.logger.warn({ err: error, role }, 'RabbitMQ channel error'),
    );
    channel.on('close', () => this.lost(connection, new Error(`RabbitMQ ${role} channel closed`)));
  }

  private lost(connection: ChannelModel, reason: Error): void {
    if (connection !== this.connection) return;
    const wasConnected = this.connected;
    this.dropConnection(reason);
    void connection.close().catch(() => {});
    if (this.closing) return;
    if (wasConnected) this.options.logger.warn({ err: reason }, 'RabbitMQ connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private dropConnection(reason: Error): void {
    this.connected = false;
    this.connection = undefined;
    this.publisher?.fail(reason);
    this.publisher = undefined;
    this.subscriptions.detach();
  }

  private scheduleReconnect(): void {
    if (this.closing || this.reconnectTimer || this.connecting) return;
    const delay = backoffDelay(RECONNECT, this.failedAttempts);
    this.failedAttempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect().catch((error: unknown) => {
        this.options.logger.warn(
          { err: error, attempt: this.failedAttempts },
          'RabbitMQ reconnect failed; trying again',
        );
        this.scheduleReconnect();
      });
    }, delay);
  }

  /** Re-declares everything after the broker returned a message some declared queue should take. */
  private redeclareSoon(): void {
    const connection = this.connection;
    if (this.redeclaring || !connection) return;
    const { exchanges, bindings } = this.topology.all();
    this.redeclaring = this.onChannel(connection, (channel) => declareTopology(channel, exchanges, bindings))
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
