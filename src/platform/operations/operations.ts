import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/event-bus.js';
import type { Metrics } from '../http/metrics.js';
import type { ModuleDefinition } from '../module.js';
import { registerAdminEvents } from './admin-events.routes.js';
import { type DeadLetters, openDeadLetters } from './dead-letters.js';

export interface OperationsOptions {
  config: Config;
  database: Database;
  /** Every module of the system: every queue is looked at, whatever this process hosts. */
  modules: readonly ModuleDefinition[];
  /** The running bus: which store holds the dead letters, and whether the broker answers now. */
  bus: EventBus;
  metrics: Metrics;
  /** Brings the consumed counts up to date before a status is read in this process. */
  flushConsumedCounts: () => Promise<void>;
}

export interface Operations {
  /** Closes the dead-letter store if it was opened; nothing opens it afterwards. */
  close(): Promise<void>;
}

/**
 * The operator's tools inside the running app, above the events runtime: `/api/admin/events` and
 * the `events_dead_letters` gauge of `/metrics`. Nothing of them opens at boot: the dead-letter
 * store (the table, or a RabbitMQ connection of its own) opens on first use — the first admin
 * request, or the first scrape of `/metrics` while the bus is healthy — and closes with the app.
 * The CLI (`events.cli.ts`) opens its own, for as long as it runs.
 */
export async function registerOperations(
  app: FastifyInstance,
  options: OperationsOptions,
): Promise<Operations> {
  const { config, database, modules, bus, metrics, flushConsumedCounts } = options;
  let opened: Promise<DeadLetters> | undefined;
  let closed = false;
  const deadLetters = (): Promise<DeadLetters> => {
    if (closed) return Promise.reject(new Error('the dead letters are closed: the app is shutting down'));
    opened ??= openDeadLetters({ config, database, modules, bus: bus.kind }).catch((error: unknown) => {
      opened = undefined;
      throw error;
    });
    return opened;
  };
  // While the broker is away a scrape says nothing of its queues rather than wait on it.
  metrics.watchDeadLetters(async () => (bus.isHealthy() ? (await deadLetters()).counts() : new Map()));
  await app.register(async (scope) => registerAdminEvents(scope, deadLetters, flushConsumedCounts), {
    prefix: '/api/admin/events',
  });
  return {
    async close() {
      closed = true;
      const store = await opened?.catch(() => undefined);
      await store?.close();
    },
  };
}
