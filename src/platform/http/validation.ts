import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Every error of a request, not only the first (a form with five wrong fields hears of all five),
 * with the failing schema (`verbose`) so each can be put in words (validation-messages.ts).
 */
const shared: Options = {
  allErrors: true,
  verbose: true,
  strict: false,
  useDefaults: true,
  removeAdditional: false,
};

/**
 * Bodies are JSON and are taken as typed, never coerced (`"2"` is not a quantity) and never pruned
 * (an unknown field is a 400, not silently dropped). Query strings and path parameters are text,
 * so they are coerced to the schema's types.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const body = addFormats.default(new Ajv.default({ ...shared, coerceTypes: false }));
  const text = addFormats.default(new Ajv.default({ ...shared, coerceTypes: 'array' }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? body : text).compile(schema as object);
}
