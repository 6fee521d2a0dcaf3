import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { topologyOf } from '../events/runtime.js';
import type { ModuleDefinition } from '../module.js';
import { DeadLetterNotFoundError, NotReplayableError, UnknownQueueError } from './dead-letters.errors.js';
import type { DeadLetterView, EventsStatus } from './dead-letters.schemas.js';
import {
  type DeadLetterStore,
  type Progress,
  parseDeadLetterId,
  type TakeResult,
} from './dead-letters.store.js';
import { TableDeadLetterStore } from './dead-letters.table-store.js';
import { eventsStatus } from './events-status.js';

export type Selection = { id: string } | { queue: string; all: true } | { queue: string; limit: number };

export interface DeadLettersOptions {
  database: Database;
  store: DeadLetterStore;
  /** Every module of the system: every queue is looked at, whatever this process hosts. */
  modules: readonly ModuleDefinition[];
  bus: 'memory' | 'rabbitmq';
}

/** The operator's view of the event flow: status, and the dead letters to look at, replay or drop. */
export class DeadLetters {
  readonly queues: readonly string[];

  constructor(private readonly options: DeadLettersOptions) {
    this.queues = topologyOf(options.modules).bindings.map((binding) => binding.queue);
  }

  status(): Promise<EventsStatus> {
    const { database, store, modules, bus } = this.options;
    return eventsStatus({ database, store, modules, bus });
  }

  counts(): Promise<Map<string, number>> {
    return this.options.store.counts(this.queues);
  }

  /** A page of parked messages and how many there are in all. */
  async list(query: { queue?: string | undefined; offset: number; limit: number }) {
    const queues = query.queue === undefined ? this.queues : [this.knownQueue(query.queue)];
    const counts = await this.options.store.counts(queues);
    const count = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const results = count > query.offset ? await this.options.store.list(queues, query) : [];
    return { count, results };
  }

  async show(id: string): Promise<DeadLetterView> {
    const { queue, eventId } = this.address(id);
    const found = await this.options.store.find(queue, eventId);
    if (!found) throw new DeadLetterNotFoundError(id);
    return found;
  }

  async replay(selection: Selection, progress?: Progress): Promise<TakeResult> {
    return this.take(selection, 'replay', progress);
  }

  async discard(selection: Selection, progress?: Progress): Promise<TakeResult> {
    return this.take(selection, 'discard', progress);
  }

  close(): Promise<void> {
    return this.options.store.close();
  }

  private async take(selection: Selection, action: 'replay' | 'discard', progress?: Progress) {
    if ('id' in selection) {
      const { queue, eventId } = this.address(selection.id);
      const result = await this.options.store.take(queue, { eventId }, action, progress);
      if (result.skipped > 0) throw new NotReplayableError(selection.id);
      if (result.taken === 0) throw new DeadLetterNotFoundError(selection.id);
      return result;
    }
    const queue = this.knownQueue(selection.queue);
    const limit = 'all' in selection ? Number.POSITIVE_INFINITY : selection.limit;
    return this.options.store.take(queue, { limit }, action, progress);
  }

  private knownQueue(queue: string): string {
    if (!this.queues.includes(queue)) throw new UnknownQueueError(queue, this.queues);
    return queue;
  }

  private address(id: string): { queue: string; eventId: string } {
    const parsed = parseDeadLetterId(id);
    if (!parsed || !this.queues.includes(parsed.queue)) throw new DeadLetterNotFoundError(id);
    return parsed;
  }
}

/**
 * The dead letters of this deployment: RabbitMQ's `<queue>.dlq` when a broker is configured,
 * else the table the in-memory bus parks in.
 */
export async function openDeadLetters(options: {
  config: Config;
  database: Database;
  modules: readonly ModuleDefinition[];
  bus?: 'memory' | 'rabbitmq';
}): Promise<DeadLetters> {
  const { config, database, modules } = options;
  const bus = options.bus ?? (config.AMQP_URL ? 'rabbitmq' : 'memory');
  let store: DeadLetterStore = new TableDeadLetterStore(database);
  if (bus === 'rabbitmq' && config.AMQP_URL) {
    const { RabbitDeadLetterStore } = await import('./dead-letters.rabbitmq-store.js');
    store = new RabbitDeadLetterStore(config.AMQP_URL, database);
  }
  return new DeadLetters({ database, store, modules, bus });
}
