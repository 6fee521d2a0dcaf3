/**
 * The guide writes an object's fields as `{name, email?, items: [{product_id, quantity}]}`: `?`
 * marks an optional field, `name: [{…}]` an array of objects and `name: {…}` an object whose fields
 * are listed. Both that notation and a JSON schema become the same list of dotted paths
 * (`items[].product_id`), so the two can be compared.
 */
export interface FieldPath {
  path: string;
  optional: boolean;
}

type Tokenised = { kind: 'punct'; value: string } | { kind: 'name'; value: string };

function tokenise(text: string): Tokenised[] {
  const tokens: Tokenised[] = [];
  for (const match of text.matchAll(/\s*(?:([{}[\],:?])|([A-Za-z0-9_-]+))/gu)) {
    if (match[1]) tokens.push({ kind: 'punct', value: match[1] });
    else if (match[2]) tokens.push({ kind: 'name', value: match[2] });
  }
  const rebuilt = tokens.map((token) => token.value).join('');
  if (rebuilt !== text.replace(/\s+/gu, '')) throw new Error(`cannot read the shape ${text}`);
  return tokens;
}

/** `{a, b?, c: [{d}]}` → `a`, `b` (optional), `c`, `c[].d`. Throws on anything else. */
export function parseShape(text: string): FieldPath[] {
  const tokens = tokenise(text);
  let at = 0;
  const peek = () => tokens[at]?.value;
  const expect = (value: string) => {
    if (tokens[at]?.value !== value) throw new Error(`expected "${value}" at token ${at} of ${text}`);
    at++;
  };
  const object = (prefix: string): FieldPath[] => {
    const fields: FieldPath[] = [];
    expect('{');
    while (peek() !== '}') {
      const name = tokens[at];
      if (name?.kind !== 'name') throw new Error(`expected a field name at token ${at} of ${text}`);
      at++;
      const optional = peek() === '?';
      if (optional) at++;
      const path = `${prefix}${name.value}`;
      fields.push({ path, optional });
      if (peek() === ':') {
        at++;
        if (peek() === '[') {
          at++;
          fields.push(...object(`${path}[].`));
          expect(']');
        } else fields.push(...object(`${path}.`));
      }
      if (peek() === ',') at++;
      else if (peek() !== '}') throw new Error(`expected "," or "}" at token ${at} of ${text}`);
    }
    expect('}');
    return fields;
  };
  const fields = object('');
  if (at !== tokens.length) throw new Error(`unexpected text after the shape ${text}`);
  return fields;
}

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  [keyword: string]: unknown;
};

/** `#/components/schemas/Name` and the like, within `root`. */
export function resolver(root: unknown): (schema: JsonSchema) => JsonSchema {
  const resolve = (schema: JsonSchema, seen = new Set<string>()): JsonSchema => {
    if (!schema.$ref) return schema;
    if (seen.has(schema.$ref) || !schema.$ref.startsWith('#/'))
      throw new Error(`cannot resolve ${schema.$ref}`);
    let target: unknown = root;
    for (const part of schema.$ref.slice(2).split('/')) {
      target = (target as Record<string, unknown> | undefined)?.[
        part.replaceAll('~1', '/').replaceAll('~0', '~')
      ];
    }
    if (!target) throw new Error(`cannot resolve ${schema.$ref}`);
    return resolve(target as JsonSchema, new Set([...seen, schema.$ref]));
  };
  return (schema) => resolve(schema);
}

/** The object (or array) inside a `T | null` union or an `allOf`; the schema itself otherwise. */
function structured(schema: JsonSchema, resolve: (schema: JsonSchema) => JsonSchema): JsonSchema {
  const resolved = resolve(schema);
  const branches = resolved.anyOf ?? resolved.oneOf;
  if (branches) {
    const found = branches.map(resolve).find((branch) => branch.properties || branch.items);
    return found ?? resolved;
  }
  if (resolved.allOf) {
    const parts = resolved.allOf.map((part) => structured(part, resolve));
    return {
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
      required: parts.flatMap((part) => part.required ?? []),
    };
  }
  return resolved;
}

/**
 * The schema's fields as paths, descending only where `expand` names a path (the guide decides how
 * deep it documents: `items` alone, or `items` and `items[].product_id`…).
 */
export function schemaFields(
  schema: JsonSchema,
  resolve: (schema: JsonSchema) => JsonSchema,
  expand: ReadonlySet<string>,
  prefix = '',
): FieldPath[] {
  const object = structured(schema, resolve);
  const required = new Set(object.required ?? []);
  const fields: FieldPath[] = [];
  for (const [name, property] of Object.entries(object.properties ?? {})) {
    const path = `${prefix}${name}`;
    fields.push({ path, optional: !required.has(name) });
    if (!expand.has(path)) continue;
    const inner = structured(property, resolve);
    if (inner.items) fields.push(...schemaFields(inner.items, resolve, expand, `${path}[].`));
    else fields.push(...schemaFields(inner, resolve, expand, `${path}.`));
  }
  return fields;
}

/** The paths the listed fields descend into: `items[].product_id` → `items`. */
export function expandedPaths(fields: readonly string[]): Set<string> {
  const expanded = new Set<string>();
  for (const field of fields) {
    for (const separator of field.matchAll(/\[\]\.|\./gu)) expanded.add(field.slice(0, separator.index));
  }
  return expanded;
}

/** What differs between the documented fields and the schema's, as sentences; empty when they agree. */
export function compareFields(
  what: string,
  documented: readonly FieldPath[],
  actual: readonly FieldPath[],
  { optionality }: { optionality: boolean },
): string[] {
  const problems: string[] = [];
  const real = new Map(actual.map((field) => [field.path, field]));
  const written = new Map(documented.map((field) => [field.path, field]));
  for (const field of documented) {
    const match = real.get(field.path);
    if (!match) problems.push(`${what}: documents \`${field.path}\`, which the code does not have`);
    else if (optionality && match.optional !== field.optional) {
      problems.push(
        `${what}: \`${field.path}\` is ${match.optional ? 'optional' : 'required'} in the code, not as documented`,
      );
    }
  }
  for (const field of actual) {
    if (!written.has(field.path)) problems.push(`${what}: the code has \`${field.path}\`, not documented`);
  }
  return problems;
}
