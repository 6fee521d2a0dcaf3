import { STATUS_CODES } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { type EventDefinition, eventName } from '../events/envelope.js';
import type { ModuleDefinition } from '../module.js';
import { ProblemSchema } from './errors.js';
import { hoistNamedSchemas, markNamedSchemas } from './openapi-components.js';

/** Where the API reference lives: swagger-ui's page and files, and the two documents. */
export const DOCS_PREFIX = '/docs';

/** The platform's own routes (health, the event operations) are documented under this tag. */
const OPERATIONS_TAG = {
  name: 'operations',
  description:
    'Health probes for orchestrators and, for staff, the event pipeline: outbox backlog, ' +
    'consumption counts and dead letters.',
};

/** `GET /api/products/:id/stock` → `getProductsByIdStock`: stable, unique per method and path. */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/api\//, '/')
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join('');
}

/**
 * What the platform adds to each documented operation: an `operationId`, the module's tag, and the
 * bearer scheme exactly when the route's recorded access (see auth.ts) asks for a token.
 */
export function documentOperation(route: RouteOptions, url: string): Record<string, unknown> | undefined {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema) return undefined;
  const method = Array.isArray(route.method) ? route.method[0]! : route.method;
  const module = /^\/api\/([^/]+)/.exec(url)?.[1];
  const access = route.config?.access ?? 'public';
  const { security: _handWritten, ...rest } = schema;
  return {
    ...(markNamedSchemas(rest) as Record<string, unknown>),
    operationId: schema.operationId ?? operationIdOf(method, url),
    tags: schema.tags ?? [module ?? OPERATIONS_TAG.name],
    security: access === 'public' ? [] : [{ bearer: [] }],
  };
}

const ENVELOPE_PROPERTIES = {
  event_id: { type: 'string', format: 'uuid' },
  event: { type: 'string', description: 'the routing key with underscores, e.g. product_created' },
  timestamp: { type: 'string', format: 'date-time' },
  version: { type: 'integer', description: "the entity's revision after this change" },
};

/** Where the events travel when `AMQP_URL` is set (the in-memory bus has no server). */
const AMQP_SERVER = {
  url: '{host}:{port}',
  protocol: 'amqp',
  protocolVersion: '0-9-1',
  description:
    'RabbitMQ, as `AMQP_URL` names it: one durable topic exchange per publishing module and one ' +
    'queue per consuming module and exchange (`<module>.<exchange>`), with a dead-letter queue each.',
  variables: {
    host: { default: 'localhost', description: 'the broker host' },
    port: { default: '5672', description: 'AMQP port (5671 for amqps)' },
  },
};

/**
 * The example messages of an event: its payload schema's examples inside an envelope whose
 * `version` is the one the event's description gives (`version` is 1…), else 2.
 */
function messageExamples(event: EventDefinition): { name: string; payload: Record<string, unknown> }[] {
  const examples = (event.payload as { examples?: unknown[] }).examples ?? [];
  const version = Number(
    /`?version`? is (\d+)|Version (\d+)/.exec(event.description)?.slice(1).find(Boolean) ?? 2,
  );
  return examples.map((payload, index) => ({
    name: `${event.routingKey}${examples.length > 1 ? ` ${index + 1}` : ''}`,
    payload: {
      event_id: '6f1c2a9e-8d4b-4c3a-9f2e-1b7d5e0a4c33',
      event: eventName(event.routingKey),
      timestamp: '2026-03-09T17:20:30.000Z',
      version,
      ...(payload as Record<string, unknown>),
    },
  }));
}

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
            examples: messageExamples(event),
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
    servers: { rabbitmq: AMQP_SERVER },
    defaultContentType: 'application/json',
    channels,
  };
}

const PROBLEM_DESCRIPTION = ProblemSchema.description;

/**
 * "Default Response" (what @fastify/swagger writes without a description) becomes the status's
 * reason, and an error answer says its status, not only that it is problem details.
 */
function describeResponses(document: Record<string, unknown>): Record<string, unknown> {
  const paths = (document.paths ?? {}) as Record<
    string,
    Record<string, { responses?: Record<string, { description?: string }> }>
  >;
  for (const operations of Object.values(paths))
    for (const operation of Object.values(operations))
      for (const [status, response] of Object.entries(operation.responses ?? {}))
        if (response.description === 'Default Response')
          response.description = STATUS_CODES[status] ?? status;
        else if (response.description === PROBLEM_DESCRIPTION)
          response.description = `${STATUS_CODES[status] ?? status}: problem details (RFC 9457)`;
  return document;
}

type BodySchema = { anyOf?: { nullable?: boolean; enum?: unknown[] }[] };

/**
 * A body schema that accepts null (`Type.Union([Input, Type.Null()])`) is one a request may leave
 * out (Fastify validates a missing body as null): @fastify/swagger marks every body required.
 */
function markOptionalBodies(document: Record<string, unknown>): Record<string, unknown> {
  const paths = (document.paths ?? {}) as Record<
    string,
    Record<
      string,
      { requestBody?: { required?: boolean; content?: Record<string, { schema?: BodySchema }> } }
    >
  >;
  for (const operations of Object.values(paths))
    for (const { requestBody } of Object.values(operations)) {
      const alternatives = requestBody?.content?.['application/json']?.schema?.anyOf ?? [];
      if (
        alternatives.some((option) => option.nullable && option.enum?.length === 1 && option.enum[0] === null)
      )
        requestBody!.required = false;
    }
  return document;
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
      tags: [
        ...modules.map((module) => ({ name: module.name, description: module.description ?? module.name })),
        OPERATIONS_TAG,
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The `access` token from POST /api/users/token (or /token/refresh)',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const documented = documentOperation(route, url);
      return documented ? { schema: documented as typeof schema, url } : { schema, url };
    },
    transformObject: (documentObject) =>
      'openapiObject' in documentObject
        ? markOptionalBodies(
            describeResponses(hoistNamedSchemas(documentObject.openapiObject as Record<string, unknown>)),
          )
        : documentObject.swaggerObject,
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });
  app.get(`${DOCS_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  const asyncApi = asyncApiDocument(modules);
  app.get(`${DOCS_PREFIX}/asyncapi.json`, { schema: { hide: true } }, async () => asyncApi);
}
