/**
 * The response schemas as fast-json-stringify reads them fastest, for the same bytes. The schemas
 * themselves stay as written (validation and the OpenAPI document read them); only the serializer
 * compiler sees these copies.
 *
 * - A union of plain scalar types (TypeBox's `Type.Union([Type.String(), Type.Null()])`, an
 *   `anyOf`) becomes a list of types (`type: ['string', 'null']`). fast-json-stringify picks an
 *   `anyOf` branch by running each branch's Ajv validator on the value, at every serialization: two
 *   validator calls for each product on a page (its category name and rating). With a type list it
 *   tests `typeof`/`=== null` inline, and writes the same JSON.
 * - An object of any keys and any values (`Type.Record(Type.String(), Type.Unknown())`, a
 *   `patternProperties` of `^(.*)$` to an empty schema) becomes the empty schema, which it hands to
 *   `JSON.stringify` in one call instead of testing the pattern and stringifying key by key.
 */

import { isObject as isSchema } from './openapi-components.js';

type Schema = Record<string, unknown>;

/** Keywords that describe a schema without changing what a serializer writes. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', '$comment', 'default']);
const SCALARS = new Set(['string', 'number', 'integer', 'boolean', 'null']);
/** Where a schema keeps schemas: a schema or an array of them, or a map of them. */
const NESTED = [
  'additionalProperties',
  'items',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'anyOf',
  'oneOf',
  'allOf',
  'prefixItems',
];
const MAPS = ['properties', 'patternProperties', '$defs', 'definitions'];

const ANY_KEY = '^(.*)$';

function annotationOnly(schema: Schema, allowed: readonly string[]): boolean {
  return Object.keys(schema).every((key) => allowed.includes(key) || ANNOTATIONS.has(key));
}

/**
 * The type list an `anyOf`/`oneOf` of scalar branches comes to, or undefined when a branch is more
 * than a type (a pattern, a range, an object…), whose check the serializer must keep. A `const`
 * branch counts as its type (the serializer writes the value, not a check of it); a `format`
 * (date-time) is kept when every string branch has the same one.
 */
function scalarUnion(branches: unknown[]): Schema | undefined {
  const types: string[] = [];
  const formats = new Set<unknown>();
  for (const branch of branches) {
    if (!isSchema(branch) || typeof branch.type !== 'string' || !SCALARS.has(branch.type)) return undefined;
    if (!annotationOnly(branch, ['type', 'const', 'format'])) return undefined;
    if (branch.type === 'string') formats.add(branch.format);
    else if (branch.format !== undefined) return undefined;
    if (!types.includes(branch.type)) types.push(branch.type);
  }
  if (types.length === 0 || formats.size > 1) return undefined;
  const [format] = formats;
  return format === undefined ? { type: types } : { type: types, format };
}

/** `Type.Record(Type.String(), Type.Unknown())`: an object whose every key takes any value. */
function anyObject(schema: Schema): boolean {
  const patterns = schema.patternProperties;
  return (
    schema.type === 'object' &&
    annotationOnly(schema, ['$id', 'type', 'patternProperties']) &&
    isSchema(patterns) &&
    Object.keys(patterns).length === 1 &&
    isSchema(patterns[ANY_KEY]) &&
    Object.keys(patterns[ANY_KEY]).length === 0
  );
}

/** `schema` rewritten as above, sharing each rewritten sub-schema (`done` keeps them by original). */
export function serializationSchema(schema: unknown, done = new WeakMap<object, unknown>()): unknown {
  if (Array.isArray(schema)) return schema.map((item) => serializationSchema(item, done));
  if (!isSchema(schema)) return schema;
  const known = done.get(schema);
  if (known !== undefined) return known;
  if (anyObject(schema)) {
    const written = schema.$id === undefined ? {} : { $id: schema.$id };
    done.set(schema, written);
    return written;
  }
  const copy: Schema = {};
  done.set(schema, copy);
  for (const key of Object.keys(schema)) {
    const value = schema[key];
    if (NESTED.includes(key)) copy[key] = serializationSchema(value, done);
    else if (MAPS.includes(key) && isSchema(value))
      copy[key] = Object.fromEntries(
        Object.entries(value).map(([name, inner]) => [name, serializationSchema(inner, done)]),
      );
    else copy[key] = value;
  }
  for (const union of ['anyOf', 'oneOf'] as const) {
    const branches = copy[union];
    const merged = Array.isArray(branches) && copy.type === undefined ? scalarUnion(branches) : undefined;
    if (merged === undefined) continue;
    delete copy[union];
    Object.assign(copy, merged);
  }
  return copy;
}
