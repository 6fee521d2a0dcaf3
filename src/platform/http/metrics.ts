import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Registry } from 'prom-client';
import { type Database, queryRows } from '../db/database.js';
import type { BusObserver } from '../events/event-bus.js';
import type { MailObserver } from '../mail/mail-relay.js';
import { RequestMetrics } from './request-metrics.js';

/** One registry per app, so that several apps in one test process do not share counters. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new RequestMetrics(this.registry);
  readonly published = new Counter({
    name: 'events_published_total',
    help: 'Events confirmed by the bus',
    labelNames: ['exchange', 'routing_key'] as const,
    registers: [this.registry],
  });
  readonly consumed = new Counter({
    name: 'events_consumed_total',
    help: 'Deliveries handled successfully',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly failed = new Counter({
    name: 'events_failed_total',
    help: 'Deliveries whose handler failed (each try)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly deadLettered = new Counter({
    name: 'events_dead_lettered_total',
    help: 'Deliveries parked after their last try',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });

  readonly mailsSent = new Counter({
    name: 'mail_sent_total',
    help: 'Mails the mail server (or the development folder) took',
    labelNames: ['template'] as const,
    registers: [this.registry],
  });
  readonly mailsFailed = new Counter({
    name: 'mail_failed_total',
    help: 'Mail sends the mail server refused (each try; an unreachable server is not counted)',
    labelNames: ['template'] as const,
    registers: [this.registry],
  });
  readonly mailsParked = new Counter({
    name: 'mail_parked_total',
    help: 'Mails parked after their last attempt',
    labelNames: ['template'] as const,
    registers: [this.registry],
  });

  constructor(database: Database) {
    new Gauge({
      name: 'mail_outbox',
      help: 'Mails in the mail outbox by state: pending (not yet sent) or parked',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const [row] = await queryRows<{ pending: number; parked: number; oldest: number | null }>(
          database.db,
          sql`select count(*) filter (where parked_at is null)::int as pending,
                count(*) filter (where parked_at is not null)::int as parked,
                extract(epoch from now() - min(created_at) filter (where parked_at is null))::float8 as oldest
              from platform.mail_outbox where sent_at is null`,
        );
        this.set({ state: 'pending' }, row?.pending ?? 0);
        this.set({ state: 'parked' }, row?.parked ?? 0);
        oldestMail.set(row?.oldest ?? 0);
      },
    });
    const oldestMail = new Gauge({
      name: 'mail_oldest_pending_age_seconds',
      help: 'Age of the oldest mail not yet sent (parked ones aside)',
      registers: [this.registry],
    });
    new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox events not yet confirmed by the bus',
      registers: [this.registry],
      async collect() {
        const [row] = await queryRows<{ backlog: number; oldest: number | null }>(
          database.db,
          sql`select count(*)::int as backlog,
                extract(epoch from now() - min(created_at))::float8 as oldest
              from platform.outbox where published_at is null`,
        );
        this.set(row?.backlog ?? 0);
        oldest.set(row?.oldest ?? 0);
      },
    });
    const oldest = new Gauge({
      name: 'outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest unsent outbox event',
      registers: [this.registry],
    });
  }

  /** Messages parked now, per queue, read from the dead-letter store at each scrape. */
  watchDeadLetters(counts: () => Promise<Map<string, number>>): void {
    new Gauge({
      name: 'events_dead_letters',
      help: 'Messages parked now (dead letters) per queue',
      labelNames: ['queue'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const parked = await counts().catch(() => new Map<string, number>());
        for (const [queue, count] of parked) this.set({ queue }, count);
      },
    });
  }

  /** 1 for each destination this process's relay publishes now (holds the lock of), 0 for the others. */
  watchRelay(destinations: () => ReadonlyMap<string, boolean>): void {
    new Gauge({
      name: 'outbox_relay_publishing',
      help: 'Whether this process publishes the destination (exchange or queue:<name>) now',
      labelNames: ['destination'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [destination, held] of destinations()) this.set({ destination }, held ? 1 : 0);
      },
    });
  }

  observer(): BusObserver {
    return {
      published: (exchange, routingKey) => this.published.inc({ exchange, routing_key: routingKey }),
      consumed: (queue) => this.consumed.inc({ queue }),
      failed: (queue) => this.failed.inc({ queue }),
      deadLettered: (queue) => this.deadLettered.inc({ queue }),
    };
  }

  mailObserver(): MailObserver {
    return {
      sent: (template) => this.mailsSent.inc({ template }),
      failed: (template) => this.mailsFailed.inc({ template }),
      parked: (template) => this.mailsParked.inc({ template }),
    };
  }

  register(app: FastifyInstance): void {
    // Synchronous: an async hook would cost every request a promise for nothing it waits on.
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.requests.record(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      reply.type(this.registry.contentType);
      return this.registry.metrics();
    });
  }
}
