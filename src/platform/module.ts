import type { TSchema } from '@sinclair/typebox';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { EventHandler, HandleOptions } from './events/inbox.js';

export interface EventDefinition {
  routingKey: string;
  /** The payload beyond the envelope (`event_id, event, timestamp, version`). */
  payload: TSchema;
  description: string;
}

/** What a module publishes: its exchange and events. Other modules may `import type` it. */
export interface ModuleContract {
  exchange: string;
  events: readonly EventDefinition[];
}

/** A queue `<module>.<exchange>` and the routing patterns bound to it. */
export interface Consumption {
  exchange: string;
  patterns: readonly string[];
}

export interface ModuleContext {
  name: string;
  config: Config;
  database: Database;
  logger: FastifyBaseLogger;
  /**
   * Handles this module's queue on `exchange`; idempotent on `event_id` through the inbox, except
   * for the events `options.versionGuarded` names (see `HandleOptions`).
   */
  handle(exchange: string, handler: EventHandler, options?: HandleOptions): void;
}

export interface ModuleDefinition {
  name: string;
  publishes?: ModuleContract;
  consumes: readonly Consumption[];
  /** Registers the module's routes under `/api/<name>` and its event handlers. */
  register(app: FastifyInstance, context: ModuleContext): Promise<void>;
}

export function queueName(moduleName: string, exchange: string): string {
  return `${moduleName}.${exchange}`;
}
