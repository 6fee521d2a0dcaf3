import { hostname } from 'node:os';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import type { FastifyBaseLogger } from 'fastify';
import { type Backoff, backoffDelay } from '../backoff.js';

const HEARTBEAT_SECONDS = 10;
const CONNECT_TIMEOUT_MS = 5_000;
/** From 200 ms, doubling, at most 5 s; jittered so that replicas do not reconnect in step. */
const RECONNECT: Backoff = { firstMs: 200, maxMs: 5_000, jitter: 0.5 };

function withHeartbeat(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(HEARTBEAT_SECONDS));
  return parsed.toString();
}

export interface RabbitConnectionOptions {
  url: string;
  logger: FastifyBaseLogger;
  /**
   * Builds what lives on a new connection (channels, the topology, consumers). Its failure drops
   * the connection, which is tried again later.
   */
  setUp(connection: ChannelModel): Promise<void>;
  /** The connection is gone, and every channel with it: what lived on it is let go. */
  dropped(reason: Error): void;
  /** Called each time the connection is back after it was lost (not on the first connect). */
  onReconnected?: () => void;
  /** True once the bus is closing: no reconnect, and a connection made meanwhile is refused. */
  closing(): boolean;
}

/**
 * The RabbitMQ bus's one connection and its life: connecting (with heartbeats and a timeout), the
 * broker's flow control, and one way of handling whatever fails — the socket, the broker, any
 * channel — drop the whole connection and reconnect with backoff, setting everything up again.
 */
export class RabbitConnection {
  private connection: ChannelModel | undefined;
  private connected = false;
  private blockedByBroker = false;
  private everConnected = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private failedAttempts = 0;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: RabbitConnectionOptions) {}

  /** The connection while it is up and set up; none while (re)connecting. */
  get usable(): ChannelModel | undefined {
    return this.connected ? this.connection : undefined;
  }

  /** The broker blocks publishers (a resource alarm). */
  get blocked(): boolean {
    return this.blockedByBroker;
  }

  /** Connects once; if the broker is away the caller goes on and the connection keeps trying. */
  async start(): Promise<void> {
    await this.connect().catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'RabbitMQ is unreachable; events wait in the outbox');
      this.scheduleReconnect();
    });
  }

  /** No more reconnects; resolves once a connect under way has ended. */
  async stopReconnecting(): Promise<void> {
    clearTimeout(this.reconnectTimer);
    await this.connecting?.catch(() => {});
  }

  /** Drops the connection for good and closes it. */
  async end(reason: Error): Promise<void> {
    const connection = this.connection;
    this.drop(reason);
    await connection?.close().catch(() => {});
  }

  /** A failure because the connection went away is not the caller's: the reconnect redoes the work. */
  async unlessLost(connection: ChannelModel, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (this.connection === connection && this.connected) throw error;
    }
  }

  /** Runs `work` on a short-lived channel, so that a refused declaration does not close another. */
  async onChannel(connection: ChannelModel, work: (channel: Channel) => Promise<void>): Promise<void> {
    const channel = await connection.createChannel();
    channel.on('error', () => {});
    try {
      await work(channel);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /** A channel that closes while its connection is meant to live takes the connection with it. */
  watch(connection: ChannelModel, channel: Channel, role: string): void {
    channel.on('error', (error: Error) =>
      this.options.logger.warn({ err: error, role }, 'RabbitMQ channel error'),
    );
    channel.on('close', () => this.lost(connection, new Error(`RabbitMQ ${role} channel closed`)));
  }

  lost(connection: ChannelModel, reason: Error): void {
    if (connection !== this.connection) return;
    const wasConnected = this.connected;
    this.drop(reason);
    void connection.close().catch(() => {});
    if (this.options.closing()) return;
    if (wasConnected) this.options.logger.warn({ err: reason }, 'RabbitMQ connection lost; reconnecting');
    this.scheduleReconnect();
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
      this.blockedByBroker = true;
      this.options.logger.warn({ reason }, 'RabbitMQ blocks publishers');
    });
    connection.on('unblocked', () => {
      this.blockedByBroker = false;
    });
    try {
      await this.options.setUp(connection);
      if (this.options.closing()) throw new Error('event bus closed while connecting');
    } catch (error) {
      this.lost(connection, error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    this.connected = true;
    this.blockedByBroker = false;
    const reconnected = this.everConnected;
    this.everConnected = true;
    this.failedAttempts = 0;
    if (reconnected) {
      this.options.logger.info('RabbitMQ connection restored');
      this.options.onReconnected?.();
    }
  }

  private drop(reason: Error): void {
    this.connected = false;
    this.connection = undefined;
    this.options.dropped(reason);
  }

  private scheduleReconnect(): void {
    if (this.options.closing() || this.reconnectTimer || this.connecting) return;
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
}
