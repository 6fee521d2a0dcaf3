import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import type {
  Delivery,
  DeliveryHandler,
  EventBus,
  QueueBinding,
} from '../../src/platform/events/event-bus.js';

/** A bus that lets a test see each delivery after its handler (and so its inbox transaction) is done. */
export class TappedBus implements EventBus {
  readonly kind: EventBus['kind'];

  constructor(
    readonly inner: EventBus,
    private readonly afterHandled: (delivery: Delivery) => void,
  ) {
    this.kind = inner.kind;
  }

  declare(exchanges: readonly string[], bindings: readonly QueueBinding[]): Promise<void> {
    return this.inner.declare(exchanges, bindings);
  }
  publish(exchange: string, routingKey: string, message: EventEnvelope): Promise<void> {
    return this.inner.publish(exchange, routingKey, message);
  }
  subscribe(queue: string, handler: DeliveryHandler): Promise<void> {
    return this.inner.subscribe(queue, async (delivery) => {
      await handler(delivery);
      this.afterHandled(delivery);
    });
  }
  start(): Promise<void> {
    return this.inner.start();
  }
  isHealthy(): boolean {
    return this.inner.isHealthy();
  }
  pause(): Promise<void> {
    return this.inner.pause();
  }
  resume(): Promise<void> {
    return this.inner.resume();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
