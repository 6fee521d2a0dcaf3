import type { ConfirmChannel, Message, Options } from 'amqplib';

export type PublishOutcome = 'routed' | 'returned';

interface Pending {
  reject(reason: Error): void;
}

/** How long a publish waits for its confirm before the caller is told to try again. */
const CONFIRM_TIMEOUT_MS = 15_000;

const returnKey = (exchange: string, routingKey: string, messageId: unknown) =>
  `${exchange}\u0000${routingKey}\u0000${String(messageId)}`;

/**
 * Publishes with confirms on one channel. Many publishes may wait at once; each resolves on its own
 * confirm. Every publish is `mandatory`: the broker returns what no queue takes, and it sends the
 * return before the confirm of the same message, so the confirm can say which of the two it was.
 */
export class ConfirmPublisher {
  private readonly returned = new Map<string, number>();
  private readonly pending = new Set<Pending>();
  private broken: Error | undefined;

  constructor(private readonly channel: ConfirmChannel) {
    channel.on('return', (message: Message) => {
      const key = returnKey(message.fields.exchange, message.fields.routingKey, message.properties.messageId);
      this.returned.set(key, (this.returned.get(key) ?? 0) + 1);
    });
    channel.on('close', () => this.fail(new Error('RabbitMQ publishing channel closed before the confirm')));
  }

  get waiting(): number {
    return this.pending.size;
  }

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish & { messageId: string },
  ): Promise<PublishOutcome> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<PublishOutcome>((resolve, reject) => {
      const entry: Pending = { reject: (reason) => settle(() => reject(reason)) };
      const timer = setTimeout(
        () => entry.reject(new Error(`no confirm from RabbitMQ within ${CONFIRM_TIMEOUT_MS} ms`)),
        CONFIRM_TIMEOUT_MS,
      );
      const settle = (finish: () => void) => {
        if (!this.pending.delete(entry)) return;
        clearTimeout(timer);
        finish();
      };
      this.pending.add(entry);
      const onConfirm = (error: unknown) => {
        if (error) return entry.reject(new Error(`RabbitMQ refused the message: ${String(error)}`));
        settle(() => resolve(this.takeReturn(returnKey(exchange, routingKey, options.messageId))));
      };
      try {
        // `false` only means the socket buffer is full; the frame is queued all the same.
        this.channel.publish(exchange, routingKey, content, { ...options, mandatory: true }, onConfirm);
      } catch (error) {
        entry.reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Resolves once nothing waits for a confirm, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  fail(reason: Error): void {
    this.broken ??= reason;
    for (const entry of [...this.pending]) entry.reject(reason);
  }

  private takeReturn(key: string): PublishOutcome {
    const count = this.returned.get(key) ?? 0;
    if (count === 0) return 'routed';
    if (count === 1) this.returned.delete(key);
    else this.returned.set(key, count - 1);
    return 'returned';
  }
}
