/**
 * Named component schemas in the OpenAPI document. A route schema (or a part of it) that has an
 * `$id` (`Product`, `Problem`, …) is marked while its route is documented, and once the document is
 * built each marked schema moves to `components.schemas` under that name, referenced from where it
 * was. Only the documentation is rewritten: validation uses the route schemas as they are (and
 * serialization its own copies, serialization-schemas.ts).
 */

const MARK = 'x-component';

type Json = unknown;

/** A JSON object: not null, not an array. */
export function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of a route schema whose `$id` parts carry the mark instead (recursive ones are left). */
export function markNamedSchemas(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(markNamedSchemas);
  if (!isObject(schema)) return schema;
  const copy: Record<string, Json> = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = markNamedSchemas(value);
  const id = schema.$id;
  // A recursive schema (TypeBox `Type.Recursive`) refers to itself by `$id`: @fastify/swagger names it.
  if (typeof id === 'string' && !JSON.stringify(schema).includes(`"$ref":"${id}"`)) {
    delete copy.$id;
    copy[MARK] = id;
  }
  return copy;
}

/** Moves every marked schema of the built document to `components.schemas`, innermost first. */
export function hoistNamedSchemas(document: Record<string, Json>): Record<string, Json> {
  const named: Record<string, Record<string, Json>> = {};
  const hoist = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(hoist);
    if (!isObject(node)) return node;
    const copy: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = hoist(value);
    const id = copy[MARK];
    if (typeof id !== 'string') return copy;
    delete copy[MARK];
    // The first copy seen may have lost its examples to a media type: keep one that has them.
    if (!named[id] || (named[id].example === undefined && copy.example !== undefined)) named[id] = copy;
    return { $ref: `#/components/schemas/${id}` };
  };
  const hoisted = hoist(document) as Record<string, Json>;
  const components = (hoisted.components ?? {}) as Record<string, Json>;
  const schemas = { ...(components.schemas as Record<string, Json>), ...named };
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return { ...hoisted, components: { ...components, schemas: sorted } };
}
