import type { Channel, ConsumeMessage } from 'amqplib';
import type { DeliveryHandler } from './event-bus.js';

/**
 * One consumed queue on the RabbitMQ bus: its channel (one per queue, opened on each connection)
 * and whether the broker delivers to it now. A paused subscription keeps its channel, so that the
 * deliveries it already holds are still acknowledged on it, but has cancelled its consumer: the
 * broker keeps the queue's other messages until it consumes again.
 */
export class RabbitSubscription {
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    readonly queue: string,
    readonly handler: DeliveryHandler,
  ) {}

  /** A new connection's channel for this queue; consuming starts unless `paused()`. */
  async attach(
    channel: Channel,
    onDelivery: (channel: Channel, raw: ConsumeMessage | null) => void,
    paused: () => boolean,
  ): Promise<void> {
    this.channel = channel;
    this.consumerTag = undefined;
    this.starting = undefined;
    this.onDelivery = onDelivery;
    await this.consume(paused);
  }

  /** Consumes, if not already and not `paused()`; a pause asked meanwhile is honoured at once. */
  async consume(paused: () => boolean): Promise<void> {
    const channel = this.channel;
    if (!channel || this.consumerTag || paused()) return;
    this.starting ??= (async () => {
      const { consumerTag } = await channel.consume(this.queue, (raw) => this.onDelivery(channel, raw), {
        noAck: false,
      });
      if (this.channel !== channel) return;
      this.consumerTag = consumerTag;
      if (paused()) await this.cancel();
    })().finally(() => {
      this.starting = undefined;
    });
    await this.starting;
  }

  /** Stops the broker's deliveries; those in hand are still acknowledged on the same channel. */
  async cancel(): Promise<void> {
    const { channel, consumerTag } = this;
    this.consumerTag = undefined;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {});
  }

  /** The connection is gone, and its channel with it. */
  detach(): void {
    this.channel = undefined;
    this.consumerTag = undefined;
  }

  private onDelivery: (channel: Channel, raw: ConsumeMessage | null) => void = () => {};
}

/** Every subscription of a bus, and whether the bus takes deliveries now. */
export class RabbitSubscriptions {
  private readonly all: RabbitSubscription[] = [];
  private paused = false;
  /** Paused (or closing): no consumer starts. */
  readonly holding = () => this.paused || this.closing();

  constructor(private readonly closing: () => boolean) {}

  add(queue: string, handler: DeliveryHandler): RabbitSubscription {
    const subscription = new RabbitSubscription(queue, handler);
    this.all.push(subscription);
    return subscription;
  }

  [Symbol.iterator](): Iterator<RabbitSubscription> {
    return this.all[Symbol.iterator]();
  }

  async pause(): Promise<void> {
    this.paused = true;
    await this.cancel();
  }

  /** Consumes again where a channel is open (`consume` of each, through `guard`). */
  async resume(guard: (work: () => Promise<void>) => Promise<void>): Promise<void> {
    if (!this.paused) return;
    this.paused = false;
    await Promise.all(this.all.map((subscription) => guard(() => subscription.consume(this.holding))));
  }

  async cancel(): Promise<void> {
    await Promise.allSettled(this.all.map((subscription) => subscription.cancel()));
  }

  detach(): void {
    for (const subscription of this.all) subscription.detach();
  }
}
