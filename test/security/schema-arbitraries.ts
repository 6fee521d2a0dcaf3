import fc from 'fast-check';
import {
  CONTROL_CHARACTERS,
  HUGE_STRINGS,
  JSON_INJECTIONS,
  MASS_ASSIGNMENT_FIELDS,
  NUMBER_ATTACKS,
  NUMERIC_TEXT,
  nestedArrays,
  nestedObjects,
  OTHER_CONTENT_TYPES,
  PATH_ATTACKS,
  RAW_BODIES,
  SQL_INJECTIONS,
  STRING_ATTACKS,
  UNICODE_EDGES,
  WRONG_TYPES,
} from './attack-values.js';

/**
 * fast-check arbitraries built from the JSON schemas (TypeBox) a route declares: values that follow
 * the schema, and mutations of them that an attacker or a careless client would send.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON schemas are open-ended objects.
export type JsonSchema = Record<string, any>;

/** Known values per field name (ids of seeded rows), so that generated requests hit real rows sometimes. */
export type Hints = Readonly<Record<string, readonly (string | number)[]>>;

export type Mode = 'valid' | 'mutated';

/** The parts of a request generated from a route's schemas. */
export interface RequestParts {
  path: string;
  query: string;
  headers: Record<string, string>;
  /** Raw body text; undefined sends no body. */
  payload?: string;
  contentType?: string;
  /** What was changed from a valid request, for the report. */
  mutation: string;
  /** Every string the request carries, so that an error echoing it is not taken for a leak. */
  inputs: string[];
}

const INT32_MAX = 2_147_483_647;

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function fitsHint(schema: JsonSchema, value: string | number): boolean {
  const types = typesOf(schema);
  if (typeof value === 'number') {
    if (!types.includes('integer') && !types.includes('number')) return false;
    return value >= (schema.minimum ?? -Infinity) && value <= (schema.maximum ?? Infinity);
  }
  return types.includes('string') && !schema.enum && schema.const === undefined;
}

function accepts(schema: JsonSchema, value: string | number): boolean {
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options)) return options.some((option: JsonSchema) => accepts(option, value));
  return fitsHint(schema, value);
}

function hinted(schema: JsonSchema, hints: Hints, field: string | undefined): (string | number)[] {
  if (!field) return [];
  return (hints[field] ?? []).filter((value) => accepts(schema, value));
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, Math.max(minLength, 40));
  const fitsLength = (text: string) =>
    text.length >= minLength && text.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') {
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((date) => date.toISOString());
  }
  if (schema.format === 'email') return fc.emailAddress();
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern, 'u');
    return fc
      .stringMatching(pattern, { size: 'small' })
      .filter((text) => fitsLength(text) && pattern.test(text));
  }
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'binary-ascii' }) },
  );
}

function integerArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  // Without a declared bound any safe integer is valid, and the bounds of a PostgreSQL integer are worth a try.
  const min = Math.max(schema.minimum ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
  const max = Math.min(schema.maximum ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const edges = [min, max, INT32_MAX, INT32_MAX + 1, -INT32_MAX - 2].filter((n) => n >= min && n <= max);
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min, max: Math.min(max, Math.max(min, 0) + 20) }) },
    { weight: 1, arbitrary: fc.integer({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

function numberArbitrary(schema: JsonSchema): fc.Arbitrary<number> {
  const min = schema.minimum ?? -1e9;
  const max = schema.maximum ?? 1e9;
  return fc.oneof(
    fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, 1e6)) }),
    fc.integer({ min: Math.ceil(min * 100), max: Math.floor(Math.min(max, 1e6) * 100) }).map((n) => n / 100),
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true }),
  );
}

function objectArbitrary(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  const required: string[] = schema.required ?? [];
  const model = Object.fromEntries(
    Object.entries(properties).map(([name, property]) => [name, validValue(property, hints, name)]),
  );
  const known = fc.record(model, { requiredKeys: required.filter((name) => name in model) });
  const extraSchemas = [
    ...Object.values((schema.patternProperties ?? {}) as Record<string, JsonSchema>),
    ...(typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : []),
  ];
  const withExtras =
    extraSchemas.length === 0
      ? known
      : fc
          .tuple(
            known,
            fc.dictionary(
              fc.string({ minLength: 1, maxLength: 12 }),
              validValue(extraSchemas[0] as JsonSchema, hints),
              {
                maxKeys: 3,
              },
            ),
          )
          .map(([fixed, extra]) => ({ ...extra, ...fixed }));
  const minProperties = schema.minProperties ?? 0;
  return withExtras.filter((value) => Object.keys(value).length >= minProperties);
}

/** A value the schema accepts (or very nearly: rare pattern/length corner cases are filtered out). */
export function validValue(schema: JsonSchema, hints: Hints = {}, field?: string): fc.Arbitrary<unknown> {
  const known = hinted(schema, hints, field);
  const plain = plainValid(schema, hints);
  if (known.length === 0) return plain;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: plain });
}

function plainValid(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const options = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(options))
    return fc.oneof(...options.map((option: JsonSchema) => validValue(option, hints)));
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return validValue(schema.allOf[0], hints);
  const types = typesOf(schema);
  if (types.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...types.map((type): fc.Arbitrary<unknown> => {
      switch (type) {
        case 'null':
          return fc.constant(null);
        case 'boolean':
          return fc.boolean();
        case 'integer':
          return integerArbitrary(schema);
        case 'number':
          return numberArbitrary(schema);
        case 'string':
          return stringArbitrary(schema);
        case 'array': {
          const minLength = schema.minItems ?? 0;
          const maxLength = Math.min(schema.maxItems ?? minLength + 4, minLength + 4);
          return fc.array(validValue(schema.items ?? {}, hints), { minLength, maxLength });
        }
        default:
          return objectArbitrary(schema, hints);
      }
    }),
  );
}

// ---- mutations -------------------------------------------------------------------------------

type Path = (string | number)[];

function pathsOf(value: unknown, prefix: Path = [], depth = 0): Path[] {
  if (depth > 4 || value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [index, item])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [
    [...prefix, key],
    ...pathsOf(child, [...prefix, key], depth + 1),
  ]);
}

function setAt(
  value: unknown,
  path: Path,
  change: (parent: Record<string | number, unknown>, key: string | number) => void,
) {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  change(parent, path[path.length - 1] as string | number);
  return copy;
}

function group(label: string, values: readonly unknown[]) {
  return fc.constantFrom(...values).map((value) => ({ label, value }));
}

/** What replaces a field: each kind of attack equally likely, whatever the size of its list. */
const fieldAttack: fc.Arbitrary<{ label: string; value: unknown }> = fc.oneof(
  group('wrong type', WRONG_TYPES),
  group('SQL injection', SQL_INJECTIONS),
  group('JSON injection', JSON_INJECTIONS),
  group('control characters', CONTROL_CHARACTERS),
  group('unicode edge case', UNICODE_EDGES),
  group('numeric text', NUMERIC_TEXT),
  group('hostile number', NUMBER_ATTACKS),
  group('huge string', HUGE_STRINGS),
  fc.constantFrom(8, 40, 2_000).map((depth) => ({
    label: `nested ${depth} deep`,
    value: depth % 2 ? nestedObjects(depth) : nestedArrays(depth),
  })),
);

/** One field of a valid body changed, dropped, or joined by a field the client may not set. */
function fieldMutation(schema: JsonSchema, hints: Hints): fc.Arbitrary<{ value: unknown; mutation: string }> {
  return validValue(schema, hints).chain((valid) => {
    const paths = pathsOf(valid);
    const extra = fc
      .tuple(fc.constantFrom(...MASS_ASSIGNMENT_FIELDS), fc.constantFrom<unknown>(true, 1, 'x', 0, null, {}))
      .map(([field, fieldValue]) => {
        if (valid === null || typeof valid !== 'object' || Array.isArray(valid)) {
          return { value: { [field]: fieldValue }, mutation: `extra field ${field}` };
        }
        return { value: { ...valid, [field]: fieldValue }, mutation: `extra field ${field}` };
      });
    if (paths.length === 0) return extra;
    const path = fc.constantFrom(...paths);
    const replaced = fc.tuple(path, fieldAttack).map(([at, attack]) => ({
      value: setAt(valid, at, (parent, key) => {
        parent[key] = attack.value;
      }),
      mutation: `${attack.label} at ${at.join('.')}`,
    }));
    const dropped = path.map((at) => ({
      value: setAt(valid, at, (parent, key) => {
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
      }),
      mutation: `missing ${at.join('.')}`,
    }));
    const nestedExtra = fc
      .tuple(path, fc.constantFrom(...MASS_ASSIGNMENT_FIELDS))
      .filter(([at]) => {
        const parent = at
          .slice(0, -1)
          .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], valid);
        return parent !== null && typeof parent === 'object' && !Array.isArray(parent);
      })
      .map(([at, field]) => ({
        value: setAt(valid, [...at.slice(0, -1), field], (parent, key) => {
          parent[key] = 1;
        }),
        mutation: `extra field ${[...at.slice(0, -1), field].join('.')}`,
      }));
    return fc.oneof(
      { weight: 4, arbitrary: replaced },
      { weight: 2, arbitrary: dropped },
      { weight: 1, arbitrary: extra },
      { weight: 1, arbitrary: nestedExtra },
    );
  });
}

interface BodyCase {
  payload?: string;
  contentType?: string;
  mutation: string;
}

const wholeBodyMutation: fc.Arbitrary<BodyCase> = fc.oneof(
  fc
    .constantFrom<unknown>([], 'text', 42, null, true, [{}], nestedArrays(3_000), nestedObjects(3_000))
    .map((value) => ({ payload: JSON.stringify(value), mutation: 'body of another shape' })),
  fc.constantFrom(...RAW_BODIES).map((payload) => ({ payload, mutation: 'raw body' })),
  fc
    .tuple(fc.constantFrom(...OTHER_CONTENT_TYPES), fc.constantFrom('a=1', '<a/>', '{}', '\u0000'))
    .map(([contentType, payload]) => ({ payload, contentType, mutation: `content-type ${contentType}` })),
);

/** A body for the route: valid per its schema, or mutated. */
export function bodyArbitrary(
  schema: JsonSchema | undefined,
  method: string,
  hints: Hints,
  mode: Mode,
): fc.Arbitrary<BodyCase> {
  const takesBody = ['POST', 'PUT', 'PATCH'].includes(method);
  if (mode === 'valid') {
    if (!schema)
      return fc.constantFrom<BodyCase>(
        { mutation: 'none' },
        ...(takesBody ? [{ payload: '{}', mutation: 'none' }] : []),
      );
    return validValue(schema, hints).map((value) => ({ payload: JSON.stringify(value), mutation: 'none' }));
  }
  const fields = schema
    ? fieldMutation(schema, hints).map(({ value, mutation }) => ({
        payload: JSON.stringify(value),
        mutation,
      }))
    : fc
        .jsonValue({ maxDepth: 3 })
        .map((value) => ({ payload: JSON.stringify(value), mutation: 'unexpected body' }));
  return fc.oneof({ weight: 3, arbitrary: fields }, { weight: 1, arbitrary: wholeBodyMutation });
}

function queryText(value: unknown): string {
  return value === null || typeof value !== 'object' ? String(value) : JSON.stringify(value);
}

/** A query string (with its leading `?`, or empty): valid per the schema, or mutated. */
export function queryArbitrary(
  schema: JsonSchema | undefined,
  hints: Hints,
  mode: Mode,
): fc.Arbitrary<{ query: string; mutation: string; inputs: string[] }> {
  const valid = schema ? validValue(schema, hints) : fc.constant({});
  const encode = (pairs: [string, string][]) => {
    const text = new URLSearchParams(pairs).toString();
    return { query: text ? `?${text}` : '', inputs: pairs.flat() };
  };
  const asPairs = (value: unknown): [string, string][] =>
    Object.entries((value ?? {}) as Record<string, unknown>).map(([key, item]) => [key, queryText(item)]);
  if (mode === 'valid') return valid.map((value) => ({ ...encode(asPairs(value)), mutation: 'none' }));
  const names = Object.keys(schema?.properties ?? {});
  const hostile = fc.oneof(
    fc.constantFrom(...SQL_INJECTIONS, ...JSON_INJECTIONS),
    fc.constantFrom(...CONTROL_CHARACTERS),
    fc.constantFrom(...UNICODE_EDGES),
    fc.constantFrom(...NUMERIC_TEXT),
    fc.constantFrom(...STRING_ATTACKS.filter((text) => text.length < 1000)),
  );
  const name = names.length > 0 ? fc.constantFrom(...names) : fc.constant('q');
  return fc.oneof(
    fc.tuple(valid, name, hostile).map(([value, key, text]) => {
      const pairs = asPairs(value).filter(([other]) => other !== key);
      return { ...encode([...pairs, [key, text]]), mutation: `hostile ${key}` };
    }),
    fc.tuple(valid, name, hostile).map(([value, key, text]) => ({
      ...encode([...asPairs(value), [key, text], [key, '1']]),
      mutation: `repeated ${key}`,
    })),
    fc.tuple(valid, fc.constantFrom(...MASS_ASSIGNMENT_FIELDS, 'q', 'where', 'sort')).map(([value, key]) => ({
      ...encode([...asPairs(value), [key, '1']]),
      mutation: `unknown parameter ${key}`,
    })),
    fc
      .tuple(valid, fc.constantFrom('&%', '&a=%ZZ', '&=1', '&limit', '&page=', '&search=%00', '&x=%E0%A4%A'))
      .map(([value, raw]) => {
        const { query, inputs } = encode(asPairs(value));
        return { query: `${query || '?'}${raw}`, inputs, mutation: `raw query ${raw}` };
      }),
  );
}

/** The route's path with its `:params` filled: values per the schema, or one hostile segment. */
export function pathArbitrary(
  url: string,
  schema: JsonSchema | undefined,
  hints: Hints,
  mode: Mode,
): fc.Arbitrary<{ path: string; mutation: string; inputs: string[] }> {
  const names = [...url.matchAll(/:(\w+)/gu)].map((match) => match[1] as string);
  if (names.length === 0) return fc.constant({ path: url, mutation: 'none', inputs: [] });
  const properties: Record<string, JsonSchema> = schema?.properties ?? {};
  const values = fc.tuple(
    ...names.map((name) =>
      validValue(properties[name] ?? { type: 'string' }, hints, name).filter((value) => String(value) !== ''),
    ),
  );
  const fill = (segments: string[]) => {
    let path = url;
    names.forEach((name, index) => {
      path = path.replace(`:${name}`, segments[index] as string);
    });
    return path;
  };
  if (mode === 'valid') {
    return values.map((raw) => {
      const segments = raw.map((value) => encodeURIComponent(String(value)));
      return { path: fill(segments), mutation: 'none', inputs: raw.map(String) };
    });
  }
  return fc
    .tuple(values, fc.nat({ max: names.length - 1 }), fc.constantFrom(...PATH_ATTACKS))
    .map(([raw, index, attack]) => {
      const segments = raw.map((value) => encodeURIComponent(String(value)));
      segments[index] = attack;
      let decoded = attack;
      try {
        decoded = decodeURIComponent(attack);
      } catch {}
      return {
        path: fill(segments),
        mutation: `hostile :${names[index]} ${attack.slice(0, 40)}`,
        inputs: [...raw.map(String), decoded],
      };
    });
}

/** Headers the route declares (e.g. Idempotency-Key): valid, or hostile ASCII. */
export function headersArbitrary(
  schema: JsonSchema | undefined,
  mode: Mode,
): fc.Arbitrary<Record<string, string>> {
  const names = Object.keys(schema?.properties ?? {});
  if (names.length === 0) return fc.constant({});
  const value =
    mode === 'valid'
      ? fc.string({ minLength: 1, maxLength: 40 }).map((text) => text.replace(/[^\x21-\x7E]/gu, 'k') || 'k')
      : fc.constantFrom('', ' ', 'x'.repeat(300), "' OR 1=1 --", 'a b', '%00');
  return fc.record(Object.fromEntries(names.map((name) => [name, value])), {
    requiredKeys: [],
  }) as fc.Arbitrary<Record<string, string>>;
}

/** Every string inside a JSON payload, for the echo filter. */
export function stringsOf(payload: string | undefined): string[] {
  if (payload === undefined) return [];
  try {
    const found: string[] = [];
    const stack: unknown[] = [JSON.parse(payload)];
    while (stack.length > 0) {
      const value = stack.pop();
      if (typeof value === 'string') found.push(value);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          found.push(key);
          stack.push(child);
        }
      }
    }
    return found;
  } catch {
    return [payload];
  }
}

type Part = 'path' | 'query' | 'body' | 'headers';

/** All parts of a request for a route. */
export function requestArbitrary(
  route: { method: string; url: string; schema?: JsonSchema | undefined },
  hints: Hints,
  mode: Mode,
): fc.Arbitrary<RequestParts> {
  const schema = route.schema ?? {};
  // In mutated mode one part is hostile and the others valid, so that each mutation reaches the code
  // behind the others. Only parts the route has are picked (a query and a body can always be sent).
  const parts: Part[] = ['query', 'body'];
  if (route.url.includes(':')) parts.push('path', 'path');
  if (schema.body) parts.push('body');
  if (schema.headers) parts.push('headers');
  const part =
    mode === 'valid' ? fc.constant<Part | 'none'>('none') : fc.constantFrom<Part | 'none'>(...parts);
  return part.chain((hostile) =>
    fc
      .tuple(
        pathArbitrary(route.url, schema.params, hints, hostile === 'path' ? 'mutated' : 'valid'),
        queryArbitrary(schema.querystring, hints, hostile === 'query' ? 'mutated' : 'valid'),
        bodyArbitrary(schema.body, route.method, hints, hostile === 'body' ? 'mutated' : 'valid'),
        headersArbitrary(schema.headers, hostile === 'headers' ? 'mutated' : 'valid'),
      )
      .map(([path, query, body, headers]) => ({
        path: path.path,
        query: query.query,
        headers,
        ...(body.payload === undefined ? {} : { payload: body.payload }),
        ...(body.contentType ? { contentType: body.contentType } : {}),
        mutation:
          [path.mutation, query.mutation, body.mutation].filter((text) => text !== 'none').join('; ') ||
          'none',
        inputs: [...path.inputs, ...query.inputs, ...stringsOf(body.payload), ...Object.values(headers)],
      })),
  );
}
