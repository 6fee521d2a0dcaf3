import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../db/database.js';
import type { EventBus } from '../events/event-bus.js';

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  checks: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Literal('up'), Type.Literal('down')]))),
});

async function answers(check: () => Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([check().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealth(app: FastifyInstance, database: Database, bus: EventBus): void {
  app.get(
    '/health/live',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process answers',
        description:
          'Public, no token. Always 200 while the process can answer HTTP: for a liveness probe, ' +
          'which must not restart the process because the database is down.',
        response: { 200: Type.Object(HealthSchema.properties, { examples: [{ status: 'ok' }] }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database (and the broker) answer',
        description:
          'Public, no token. 200 when the database answers within 2 s and, on RabbitMQ, the broker ' +
          'connection is up; otherwise 503 with `Retry-After: 5` and which check is down.',
        response: {
          200: Type.Object(HealthSchema.properties, {
            examples: [{ status: 'ok', checks: { database: 'up', broker: 'up' } }],
          }),
          503: HealthSchema,
        },
      },
    },
    async (_request, reply) => {
      const databaseUp = await answers(() => database.ping(), 2000);
      // The event consumers pause at once rather than at their next failure.
      if (!databaseUp) void database.availability.check();
      const checks: Record<string, 'up' | 'down'> = { database: databaseUp ? 'up' : 'down' };
      if (bus.kind === 'rabbitmq') checks.broker = bus.isHealthy() ? 'up' : 'down';
      const ready = Object.values(checks).every((state) => state === 'up');
      if (!ready) reply.header('retry-after', '5');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks });
    },
  );
}
