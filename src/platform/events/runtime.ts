import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { type ModuleDefinition, queueName } from '../module.js';
import type { BusObserver, EventBus, QueueBinding } from './event-bus.js';
import { deadLetterTable, type EventHandler, type HandleOptions, inboxHandler } from './inbox.js';
import { MemoryEventBus } from './memory-bus.js';
import { OutboxRelay } from './outbox.js';
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

  private constructor(
    readonly bus: EventBus,
    private readonly options: EventsRuntimeOptions,
  ) {
    const exchanges = options.hosted.flatMap((module) =>
      module.publishes ? [module.publishes.exchange] : [],
    );
    this.relay = new OutboxRelay(options.database, bus, {
      exchanges,
      queues: topologyOf(options.hosted).bindings,
      batchSize: options.config.OUTBOX_BATCH_SIZE,
      pollMs: options.config.OUTBOX_POLL_MS,
      onError: (error) => options.logger.warn({ err: error }, 'outbox relay could not publish; will retry'),
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
    // After a broker outage the relay may be deep in its backoff; the rows waiting need not.
    const bus = await createBus(options, () => runtime?.relay.wake());
    runtime = new EventsRuntime(bus, options);
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
        inboxHandler(database.events, binding.queue, registered.handler, registered.options),
      );
    }
    this.relay.start();
    this.retention.start();
  }

  /** Publishes what is left in the outbox (for at most `drainMs`), then lets consumers finish. */
  async stop(drainMs = 5000): Promise<void> {
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
    }
  }
}
