import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { isTransientFailure } from '../db/failures.js';
import { type ModuleDefinition, queueName } from '../module.js';
import { ConsumedCounts, observers } from './consumed-counts.js';
import type { BusObserver, DeliveryHandler, EventBus, QueueBinding } from './event-bus.js';
import { deadLetterTable, type EventHandler, type HandleOptions, inboxHandler } from './inbox.js';
import { MemoryEventBus } from './memory-bus.js';
import { OutboxRelay } from './outbox-relay.js';
import { EventRetention } from './retention.js';

/** How often published outbox rows and old inbox records are swept. */
const RETENTION_SWEEP_MS = 10 * 60_000;

export interface EventsRuntimeOptions {
  config: Config;
  database: Database;
  /** Every module of the system: their queues are declared even where they are not hosted. */
  allModules: readonly ModuleDefinition[];
  hosted: readonly ModuleDefinition[];
  logger: FastifyBaseLogger;
  observer: BusObserver;
  bus?: EventBus;
}

export function topologyOf(modules: readonly ModuleDefinition[]): {
  exchanges: string[];
  bindings: QueueBinding[];
} {
  const exchanges = modules.flatMap((module) => (module.publishes ? [module.publishes.exchange] : []));
  const bindings = modules.flatMap((module) =>
    module.consumes.map((consumption) => ({
      queue: queueName(module.name, consumption.exchange),
      exchange: consumption.exchange,
      patterns: consumption.patterns,
    })),
  );
  return { exchanges: [...new Set(exchanges)], bindings };
}

async function createBus(options: EventsRuntimeOptions, onReconnected: () => void): Promise<EventBus> {
  if (options.bus) return options.bus;
  const policy = {
    maxAttempts: options.config.EVENT_MAX_ATTEMPTS,
    retryDelayMs: options.config.EVENT_RETRY_DELAY_MS,
    prefetch: options.config.EVENT_PREFETCH,
  };
  if (options.config.AMQP_URL) {
    const { RabbitEventBus } = await import('./rabbitmq-bus.js');
    return new RabbitEventBus({
      url: options.config.AMQP_URL,
      ...policy,
      observer: options.observer,
      logger: options.logger,
      onReconnected,
    });
  }
  return new MemoryEventBus({
    ...policy,
    deadLetter: deadLetterTable(options.database),
    observer: options.observer,
    onError: (error) => options.logger.error({ err: error }, 'could not park a dead letter'),
  });
}

/** The bus, the outbox relay and the hosted modules' consumers, started and stopped together. */
export class EventsRuntime {
  readonly relay: OutboxRelay;
  readonly retention: EventRetention;
  private readonly handlers = new Map<string, { handler: EventHandler; options: HandleOptions }>();
  /** Resolved by `stop()`: deliveries held while the database is away go on (and fail) then. */
  private stopping!: () => void;
  private readonly stopped = new Promise<void>((resolve) => {
    this.stopping = resolve;
  });
  private unwatch: (() => void) | undefined;

  private constructor(
    readonly bus: EventBus,
    private readonly options: EventsRuntimeOptions,
    private readonly consumed: ConsumedCounts,
  ) {
    const exchanges = options.hosted.flatMap((module) =>
      module.publishes ? [module.publishes.exchange] : [],
    );
    this.relay = new OutboxRelay(options.database, bus, {
      exchanges,
      queues: topologyOf(options.hosted).bindings,
      batchSize: options.config.OUTBOX_BATCH_SIZE,
      pollMs: options.config.OUTBOX_POLL_MS,
      onError: (error) => {
        options.database.availability.report(error);
        // While the database is known to be away, one line said so already.
        const level = isTransientFailure(error) && !options.database.availability.isUp ? 'debug' : 'warn';
        options.logger[level]({ err: error }, 'outbox relay could not publish; will retry');
      },
    });
    this.retention = new EventRetention(options.database.events, {
      retentionHours: options.config.EVENT_RETENTION_HOURS,
      intervalMs: RETENTION_SWEEP_MS,
      onSwept: (removed) =>
        options.logger.info({ removed }, 'swept published outbox rows and old inbox records'),
      onError: (error) => options.logger.warn({ err: error }, 'event retention sweep failed; will try again'),
    });
  }

  static async create(options: EventsRuntimeOptions): Promise<EventsRuntime> {
    let runtime: EventsRuntime | undefined;
    const consumed = new ConsumedCounts(options.database.events);
    const observer = observers(options.observer, consumed.observer());
    // After a broker outage the relay may be deep in its backoff; the rows waiting need not.
    const bus = await createBus({ ...options, observer }, () => runtime?.relay.wake());
    runtime = new EventsRuntime(bus, options, consumed);
    return runtime;
  }

  handlerRegistry(
    moduleName: string,
  ): (exchange: string, handler: EventHandler, options?: HandleOptions) => void {
    return (exchange, handler, options = {}) => {
      const queue = queueName(moduleName, exchange);
      if (this.handlers.has(queue)) throw new Error(`${queue} already has a handler`);
      this.handlers.set(queue, { handler, options });
    };
  }

  /** Writes the consumers' counts now (the status an operator asks for in this process is current). */
  flushConsumedCounts(): Promise<void> {
    return this.consumed.flush();
  }

  async start(): Promise<void> {
    const { allModules, hosted, database } = this.options;
    // A broker keeps messages for queues whose consumers live elsewhere; memory cannot, so it
    // declares only what this process consumes.
    const declared = topologyOf(this.bus.kind === 'memory' ? hosted : allModules);
    await this.bus.start();
    await this.bus.declare(topologyOf(allModules).exchanges, declared.bindings);
    for (const binding of topologyOf(hosted).bindings) {
      const registered = this.handlers.get(binding.queue);
      if (!registered) throw new Error(`module queue ${binding.queue} has no handler`);
      await this.bus.subscribe(
        binding.queue,
        this.whileDatabaseAnswers(
          inboxHandler(database.events, binding.queue, registered.handler, {
            ...registered.options,
            // A deadlock, a lost connection, a malformed event in a set-based run — or a bug in one.
            onRetryAlone: (error, size) =>
              this.options.logger.warn(
                { err: error, queue: binding.queue, deliveries: size },
                'a batch of deliveries failed; applying them one at a time',
              ),
          }),
        ),
      );
    }
    this.unwatch = database.availability.onChange((up) => void this.databaseChanged(up));
    this.relay.start();
    this.retention.start();
    this.consumed.start();
  }

  /**
   * A delivery that arrives while the database is away waits for it (the bus has stopped taking
   * more) instead of failing; a failure of the handler tells the database's availability, which
   * checks whether the database is gone.
   */
  private whileDatabaseAnswers(handler: DeliveryHandler): DeliveryHandler {
    const { availability } = this.options.database;
    return async (delivery) => {
      if (!availability.isUp) await Promise.race([availability.whenUp(), this.stopped]);
      try {
        await handler(delivery);
      } catch (error) {
        availability.report(error);
        throw error;
      }
    };
  }

  /** While the database cannot be reached the consumers take nothing; the relay is woken on its return. */
  private async databaseChanged(up: boolean): Promise<void> {
    const { logger } = this.options;
    try {
      if (up) {
        await this.bus.resume();
        this.relay.wake();
        logger.info('database answers again: event consumers resumed');
      } else {
        logger.warn('database unreachable: event consumers paused until it answers');
        await this.bus.pause();
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not pause or resume the event consumers');
    }
  }

  /** Publishes what is left in the outbox (for at most `drainMs`), then lets consumers finish. */
  async stop(drainMs = 5000): Promise<void> {
    this.unwatch?.();
    this.stopping();
    await this.retention.stop();
    await this.relay.pause();
    if (this.bus.isHealthy()) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([this.relay.flush().catch(() => {}), deadline]);
      clearTimeout(timer);
    }
    // Before the bus closes: publishes under way get their confirms, and the locks go to a replica.
    try {
      await this.relay.stop();
    } finally {
      await this.bus.close();
      await this.consumed.stop();
    }
  }
}
