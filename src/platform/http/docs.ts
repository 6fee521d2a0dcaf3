import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ModuleDefinition } from '../module.js';

const ENVELOPE_PROPERTIES = {
  event_id: { type: 'string', format: 'uuid' },
  event: { type: 'string', description: 'the routing key with underscores, e.g. product_created' },
  timestamp: { type: 'string', format: 'date-time' },
  version: { type: 'integer', description: "the entity's revision after this change" },
};

/** The event catalogue as AsyncAPI 2.6, built from every module's `contract.ts`. */
export function asyncApiDocument(modules: readonly ModuleDefinition[]): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  for (const module of modules) {
    for (const event of module.publishes?.events ?? []) {
      const consumers = modules
        .filter((other) =>
          other.consumes.some((consumption) => consumption.exchange === module.publishes?.exchange),
        )
        .map((other) => `${other.name}.${module.publishes?.exchange}`);
      channels[`${module.publishes?.exchange}/${event.routingKey}`] = {
        description: `${event.description}${consumers.length ? ` Consumed by queues: ${consumers.join(', ')}.` : ''}`,
        bindings: {
          amqp: {
            is: 'routingKey',
            exchange: { name: module.publishes?.exchange, type: 'topic', durable: true },
          },
        },
        subscribe: {
          operationId: `${module.name}.${event.routingKey}`,
          message: {
            name: event.routingKey,
            contentType: 'application/json',
            payload: {
              allOf: [
                {
                  type: 'object',
                  required: Object.keys(ENVELOPE_PROPERTIES),
                  properties: ENVELOPE_PROPERTIES,
                },
                event.payload,
              ],
            },
          },
        },
      };
    }
  }
  return {
    asyncapi: '2.6.0',
    info: { title: 'Mascotas events', version: '1.0.0', description: 'Topic exchanges between the modules' },
    defaultContentType: 'application/json',
    channels,
  };
}

/** OpenAPI from the route schemas, an interactive reference at /docs, and the event catalogue. */
export async function registerDocs(
  app: FastifyInstance,
  modules: readonly ModuleDefinition[],
): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Mascotas API',
        version: '1.0.0',
        description: 'Pet-shop commerce: users, catalog, cart, orders, reviews',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  app.get('/docs/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const asyncApi = asyncApiDocument(modules);
  app.get('/docs/asyncapi.json', { schema: { hide: true } }, async () => asyncApi);
}
