import { createHash } from 'node:crypto';
import { type Channel, type ChannelModel, connect, type GetMessage } from 'amqplib';
import type { Database } from '../db/database.js';
import type { EventEnvelope } from '../events/envelope.js';
import { recordQueueDeliveries } from '../events/outbox.js';
import { deadLetterQueueOf } from '../events/rabbitmq-topology.js';
import { BrokerUnavailableForOperationsError } from './dead-letters.errors.js';
import type { DeadLetterView } from './dead-letters.schemas.js';
import {
  type DeadLetterStore,
  deadLetterId,
  type Pick,
  type Progress,
  type TakeResult,
} from './dead-letters.store.js';

const BATCH = 100;
const CONNECT_TIMEOUT_MS = 5_000;

interface Parked {
  raw: GetMessage;
  view: DeadLetterView;
  envelope: EventEnvelope | undefined;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : Buffer.isBuffer(value)
      ? value.toString('utf8')
      : undefined;

function envelopeOf(content: Buffer): EventEnvelope | undefined {
  try {
    const parsed: unknown = JSON.parse(content.toString('utf8'));
    const candidate = parsed as EventEnvelope | null;
    return typeof candidate === 'object' && candidate !== null && typeof candidate.event_id === 'string'
      ? candidate
      : undefined;
  } catch {
    return undefined;
  }
}

/** What the consumer wrote on the parked copy (`x-queue`, `x-error`, …), read back as a dead letter. */
function parse(queue: string, raw: GetMessage): Parked {
  const headers: Record<string, unknown> = raw.properties.headers ?? {};
  const envelope = envelopeOf(raw.content);
  const eventId =
    text(raw.properties.messageId) ??
    envelope?.event_id ??
    `sha256-${createHash('sha256').update(raw.content).digest('hex').slice(0, 16)}`;
  const attempts = Number(headers['x-attempts']);
  const parkedAt = text(headers['x-parked-at']);
  const view: DeadLetterView = {
    id: deadLetterId(queue, eventId),
    queue,
    exchange: text(headers['x-exchange']) ?? raw.fields.exchange,
    routing_key: text(headers['x-routing-key']) ?? raw.fields.routingKey,
    event_id: eventId,
    event: typeof envelope?.event === 'string' ? envelope.event : (text(raw.properties.type) ?? null),
    error: text(headers['x-error']) ?? '',
    attempts: Number.isInteger(attempts) && attempts >= 0 ? attempts : 0,
    parked_at: parkedAt && !Number.isNaN(Date.parse(parkedAt)) ? new Date(parkedAt).toISOString() : null,
    message: envelope ?? raw.content.toString('utf8'),
  };
  return { raw, view, envelope };
}

/**
 * RabbitMQ's `<queue>.dlq` (classic queues). Looking is `basic.get` without an ack on a channel of
 * its own, which is then closed: the broker puts every message back where it was. Taking acks a
 * message only after what replaces it (an outbox row) is committed.
 */
export class RabbitDeadLetterStore implements DeadLetterStore {
  readonly name = 'rabbitmq <queue>.dlq';
  private connection: Promise<ChannelModel> | undefined;

  constructor(
    private readonly url: string,
    private readonly database: Database,
  ) {}

  async counts(queues: readonly string[]): Promise<Map<string, number>> {
    const depths = await Promise.all(
      queues.map((queue) => this.withChannel((channel) => this.depth(channel, deadLetterQueueOf(queue)))),
    );
    return new Map(queues.map((queue, index) => [queue, depths[index]!]));
  }

  async list(
    queues: readonly string[],
    window: { offset: number; limit: number },
  ): Promise<DeadLetterView[]> {
    const results: DeadLetterView[] = [];
    let skip = window.offset;
    for (const queue of queues) {
      if (results.length >= window.limit) break;
      const views = await this.withChannel(async (channel) => {
        const depth = await this.depth(channel, deadLetterQueueOf(queue));
        if (skip >= depth) {
          skip -= depth;
          return [];
        }
        const wanted = skip + window.limit - results.length;
        const messages = await this.browse(channel, deadLetterQueueOf(queue), Math.min(wanted, depth));
        const taken = messages.slice(skip).map((raw) => parse(queue, raw).view);
        skip = 0;
        return taken;
      });
      results.push(...views);
    }
    return results;
  }

  async find(queue: string, eventId: string): Promise<DeadLetterView | undefined> {
    return this.withChannel(async (channel) => {
      const dlq = deadLetterQueueOf(queue);
      const messages = await this.browse(channel, dlq, await this.depth(channel, dlq));
      return messages.map((raw) => parse(queue, raw).view).find((view) => view.event_id === eventId);
    });
  }

  async take(
    queue: string,
    pick: Pick,
    action: 'replay' | 'discard',
    progress?: Progress,
  ): Promise<TakeResult> {
    return this.withChannel(async (channel) => {
      const dlq = deadLetterQueueOf(queue);
      const depth = await this.depth(channel, dlq);
      if ('eventId' in pick) {
        const messages = await this.browse(channel, dlq, depth);
        const chosen = messages
          .map((raw) => parse(queue, raw))
          .filter((p) => p.view.event_id === pick.eventId);
        if (chosen.length === 0) return { taken: 0, skipped: 0 };
        if (action === 'replay' && chosen.some((parked) => !parked.envelope)) return { taken: 0, skipped: 1 };
        const taken = await this.settle(channel, queue, chosen, action);
        progress?.(taken, taken);
        return { taken, skipped: 0 };
      }
      // Only what was parked when it started: a replay that fails again is parked anew, not looped.
      const total = Math.min(depth, pick.limit);
      let done = 0;
      let taken = 0;
      let skipped = 0;
      progress?.(0, total);
      while (done < total) {
        const batch = await this.browse(channel, dlq, Math.min(BATCH, total - done));
        if (batch.length === 0) break;
        done += batch.length;
        const parked = batch.map((raw) => parse(queue, raw));
        // What cannot be replayed stays unacked on this channel, and goes back when it closes.
        const chosen = action === 'replay' ? parked.filter((entry) => entry.envelope) : parked;
        skipped += parked.length - chosen.length;
        taken += await this.settle(channel, queue, chosen, action);
        progress?.(done, total);
      }
      return { taken, skipped };
    });
  }

  async close(): Promise<void> {
    const opening = this.connection;
    this.connection = undefined;
    const connection = await opening?.catch(() => undefined);
    await connection?.close().catch(() => {});
  }

  /** Commits the replays, then acks: a crash in between leaves a copy parked, which the inbox would skip. */
  private async settle(
    channel: Channel,
    queue: string,
    chosen: readonly Parked[],
    action: 'replay' | 'discard',
  ): Promise<number> {
    const unique = new Map(chosen.map((parked) => [parked.view.event_id, parked]));
    if (action === 'replay') {
      const deliveries = [...unique.values()].map((parked) => ({
        queue,
        routingKey: parked.view.routing_key,
        message: parked.envelope!,
      }));
      await this.database.transaction((tx) => recordQueueDeliveries(tx, deliveries));
    }
    try {
      for (const parked of chosen) channel.ack(parked.raw);
    } catch (error) {
      throw new Error(
        `RabbitMQ lost the channel before the ack (${String(error)}); the messages stay parked${
          action === 'replay' ? ' and were replayed: replaying them again applies nothing twice' : ''
        }`,
      );
    }
    return unique.size;
  }

  /** Ready messages; a queue that does not exist (never declared) holds none. */
  private async depth(channel: Channel, dlq: string): Promise<number> {
    try {
      return (await channel.checkQueue(dlq)).messageCount;
    } catch {
      return 0;
    }
  }

  private async browse(channel: Channel, dlq: string, max: number): Promise<GetMessage[]> {
    const messages: GetMessage[] = [];
    while (messages.length < max) {
      const message = await channel.get(dlq, { noAck: false });
      if (message === false) break;
      messages.push(message);
    }
    return messages;
  }

  private async withChannel<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    let channel: Channel;
    const opening = this.connect();
    try {
      channel = await (await opening).createChannel();
    } catch (error) {
      // A connection that cannot give a channel is let go *and closed*: forgotten alone it would
      // stay open on the broker beside the one the next call opens. Only the connection this call
      // used is dropped, never one another call has opened since.
      if (this.connection === opening) this.connection = undefined;
      void opening.then((connection) => connection.close()).catch(() => {});
      throw new BrokerUnavailableForOperationsError(error instanceof Error ? error.message : String(error));
    }
    channel.on('error', () => {});
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  private connect(): Promise<ChannelModel> {
    if (this.connection) return this.connection;
    const opening = connect(this.url, {
      timeout: CONNECT_TIMEOUT_MS,
      clientProperties: { connection_name: `mascotas dead letters pid ${process.pid}` },
    }).then((connection) => {
      connection.on('error', () => {});
      connection.on('close', () => {
        if (this.connection === opening) this.connection = undefined;
      });
      return connection;
    });
    this.connection = opening;
    return opening;
  }
}
