import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler } from 'fastify';
import type { FastifyValidationResult } from 'fastify/types/schema.js';
import { serializationSchema } from './serialization-schemas.js';

/**
 * Fastify compiles every route's validators and response serializers before it listens: about a
 * quarter of the start-up CPU here. Compiled on a route's first use instead, each is still built
 * once; start-up no longer pays for routes nobody has called yet. Serializers are compiled from
 * `serializationSchema`'s copies of the schemas (the same JSON, written with fewer checks).
 */
export function lazySerializers(): ReturnType<typeof SerializerSelector> {
  const factory = SerializerSelector();
  return (externalSchemas, options) => {
    // One map for the shared schemas and every route's: a schema met twice is rewritten once.
    const done = new WeakMap<object, unknown>();
    const shared =
      externalSchemas &&
      (Object.fromEntries(
        Object.entries(externalSchemas).map(([id, schema]) => [id, serializationSchema(schema, done)]),
      ) as typeof externalSchemas);
    const compile = factory(shared, options);
    return (route) => {
      let serialize: ((document: unknown) => string) | undefined;
      return (document) => {
        serialize ??= compile({
          ...route,
          schema: serializationSchema(route.schema, done) as typeof route.schema,
        });
        return serialize(document);
      };
    };
  };
}

/** Wraps a validator compiler so that each schema is compiled on its first validation. */
export function lazyValidators(compiler: FastifySchemaCompiler<unknown>): FastifySchemaCompiler<unknown> {
  return (route) => {
    let compiled: FastifyValidationResult | undefined;
    const validate = ((data: unknown, context?: unknown) => {
      compiled ??= compiler(route);
      return (compiled as (data: unknown, context?: unknown) => ReturnType<FastifyValidationResult>)(
        data,
        context,
      );
    }) as FastifyValidationResult;
    // Fastify reads an Ajv validator's errors from the function, and hands an Ajv validator the
    // parent object (`schemaEnv`) so that it may coerce a root value.
    Object.defineProperties(validate, {
      errors: { get: () => compiled?.errors },
      schemaEnv: { value: true },
    });
    return validate;
  };
}
