import fc from 'fast-check';
import { nestedObjects } from './attack-values.js';
import {
  type Hints,
  type JsonSchema,
  type RequestParts,
  requestArbitrary,
  stringsOf,
} from './schema-arbitraries.js';

/**
 * The systematic half of the fuzz: one valid request for the route, then every field of its body,
 * every query parameter, path parameter and declared header replaced in turn by one representative
 * of each class of attack. Random runs find combinations; the sweep makes sure that no field is
 * left without its NUL byte, its injection string, its huge value and its wrong type, however few
 * the random runs.
 */

const STRING_SWEEP: unknown[] = [
  '\u0000',
  "'; DROP TABLE users; --",
  '{"$gt": ""}',
  '\uD800',
  '\u202Egnp.exe',
  'x'.repeat(10_001),
  '',
];
const NUMBER_SWEEP: unknown[] = [-1, 0, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, 'NaN', '1'];
const ANY_SWEEP: unknown[] = [null, true, {}, [], nestedObjects(40)];

const QUERY_SWEEP = [
  '\u0000',
  "' OR '1'='1",
  '{"$gt": ""}',
  'x'.repeat(2_000),
  '1e400',
  '1e20',
  '-1',
  '1.5',
  'NaN',
  '',
  '\uFFFD',
];
const PATH_SWEEP = [
  '%00',
  '1e400',
  '1e20',
  '-1',
  '0',
  '1.5',
  '2147483648',
  'NaN',
  encodeURIComponent("' OR '1'='1"),
  'x'.repeat(190),
  'x'.repeat(300),
  '%E0%A4%A',
];
const HEADER_SWEEP = ['x'.repeat(300), ' ', "' OR 1=1 --", '\u00e9'];

type Path = (string | number)[];

function typesOf(schema: JsonSchema): string[] {
  const options: JsonSchema[] = schema.anyOf ?? schema.oneOf ?? [schema];
  return options.flatMap((option) =>
    Array.isArray(option.type) ? option.type : option.type ? [option.type] : option.enum ? ['string'] : [],
  );
}

/** Every declared field of a body schema, with the path it has in `value` (arrays: their first item). */
function fieldsOf(schema: JsonSchema, value: unknown, prefix: Path = []): [Path, JsonSchema][] {
  const fields: [Path, JsonSchema][] = [];
  for (const [name, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    const path = [...prefix, name];
    fields.push([path, child]);
    const inner = (value as Record<string, unknown> | undefined)?.[name];
    if (child.properties) fields.push(...fieldsOf(child, inner, path));
    if (child.items?.properties && Array.isArray(inner) && inner.length > 0) {
      fields.push(...fieldsOf(child.items, inner[0], [...path, 0]));
    }
  }
  return fields;
}

function withValue(body: unknown, path: Path, value: unknown | typeof MISSING): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) {
    if (parent[key] === null || typeof parent[key] !== 'object')
      parent[key] = typeof key === 'number' ? [] : {};
    parent = parent[key] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1] as string | number;
  if (value === MISSING) delete parent[last];
  else parent[last] = value;
  return copy;
}

const MISSING = Symbol('missing');

function describeValue(value: unknown): string {
  if (value === MISSING) return 'missing';
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 30)}…(${text.length} chars)` : text;
}

function bodyCases(base: RequestParts, schema: JsonSchema): RequestParts[] {
  const body = base.payload === undefined ? {} : (JSON.parse(base.payload) as unknown);
  const cases: RequestParts[] = [];
  for (const [path, field] of fieldsOf(schema, body)) {
    const types = typesOf(field);
    const values = [
      MISSING,
      ...ANY_SWEEP,
      ...(types.includes('string') || types.length === 0 ? STRING_SWEEP : []),
      ...(types.includes('integer') || types.includes('number') ? NUMBER_SWEEP : []),
    ];
    for (const value of values) {
      const payload = JSON.stringify(withValue(body, path, value));
      cases.push({
        ...base,
        payload,
        mutation: `sweep body.${path.join('.')} = ${describeValue(value)}`,
        inputs: [...base.inputs, ...stringsOf(payload)],
      });
    }
  }
  for (const field of ['is_staff', 'user_id', 'id', 'status', 'total']) {
    if (field in (schema.properties ?? {}) || body === null || typeof body !== 'object') continue;
    const payload = JSON.stringify({ ...(body as object), [field]: 1 });
    cases.push({ ...base, payload, mutation: `sweep extra body.${field}`, inputs: [...base.inputs, field] });
  }
  return cases;
}

function queryCases(base: RequestParts, schema: JsonSchema): RequestParts[] {
  const pairs = [...new URLSearchParams(base.query.replace(/^\?/u, ''))];
  const cases: RequestParts[] = [];
  for (const name of Object.keys(schema.properties ?? {})) {
    const others = pairs.filter(([key]) => key !== name);
    for (const value of QUERY_SWEEP) {
      const query = `?${new URLSearchParams([...others, [name, value]]).toString()}`;
      cases.push({
        ...base,
        query,
        mutation: `sweep ?${name}=${describeValue(value)}`,
        inputs: [...base.inputs, value],
      });
    }
    const repeated = `?${new URLSearchParams([...others, [name, '1'], [name, '2']]).toString()}`;
    cases.push({ ...base, query: repeated, mutation: `sweep ?${name} repeated` });
  }
  const unknown = `?${new URLSearchParams([...pairs, ['is_staff', 'true']]).toString()}`;
  cases.push({ ...base, query: unknown, mutation: 'sweep unknown ?is_staff' });
  return cases;
}

function pathCases(base: RequestParts, url: string): RequestParts[] {
  const template = url.split('/');
  return template
    .filter((segment) => segment.startsWith(':'))
    .flatMap((name) =>
      PATH_SWEEP.map((value) => {
        // The base's value of every other parameter is kept.
        const segments = base.path.split('/');
        segments[template.indexOf(name)] = value;
        let decoded = value;
        try {
          decoded = decodeURIComponent(value);
        } catch {}
        return {
          ...base,
          path: segments.join('/'),
          mutation: `sweep ${name} = ${describeValue(value)}`,
          inputs: [...base.inputs, decoded],
        };
      }),
    );
}

function headerCases(base: RequestParts, schema: JsonSchema): RequestParts[] {
  return Object.keys(schema.properties ?? {}).flatMap((name) =>
    HEADER_SWEEP.map((value) => ({
      ...base,
      headers: { ...base.headers, [name]: value },
      mutation: `sweep header ${name} = ${describeValue(value)}`,
      inputs: [...base.inputs, value],
    })),
  );
}

/** The sweep of one route: deterministic for a seed (which picks the valid request it starts from). */
export function sweepRequests(
  route: { method: string; url: string; schema?: JsonSchema | undefined },
  hints: Hints,
  seed: number,
): RequestParts[] {
  const schema = route.schema ?? {};
  const [base] = fc.sample(requestArbitrary(route, hints, 'valid'), { seed, numRuns: 1 });
  if (!base) return [];
  return [
    ...(schema.body ? bodyCases(base, schema.body) : []),
    ...(schema.querystring ? queryCases(base, schema.querystring) : []),
    ...pathCases(base, route.url),
    ...(schema.headers ? headerCases(base, schema.headers) : []),
  ];
}
