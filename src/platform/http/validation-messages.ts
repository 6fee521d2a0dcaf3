import type { ErrorObject } from 'ajv';

/** One refused field of a request: `body.items.0.quantity`, `querystring.limit` … */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * A schema's own words for a value it refuses (`Type.String({ pattern, [ERROR_MESSAGE]: 'must …' })`),
 * used where the keyword's message would only quote a regular expression. An `x-` name, so the
 * OpenAPI document stays valid and shows it to client developers too.
 */
export const ERROR_MESSAGE = 'x-error-message';

/** At most this many field errors in one answer: enough to fix a form, not a way to grow a response. */
const MAX_ERRORS = 50;

type Issue = ErrorObject<string, Record<string, unknown>, unknown>;
type Schema = Record<string, unknown>;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

const FORMAT_NAMES: Record<string, string> = {
  email: 'an e-mail address',
  uuid: 'a UUID',
  'date-time': 'a date-time such as 2026-01-31T12:00:00Z',
  date: 'a date such as 2026-01-31',
  uri: 'a URL',
};

function list(values: readonly unknown[]): string {
  const words = values.map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function typeName(type: unknown): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return list(types.map((name) => TYPE_NAMES[name] ?? name));
}

function schemaType(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  return typeof schema.type === 'string' ? [schema.type] : [];
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

/** A union's alternatives in words: its allowed values, or the kinds of value each branch takes. */
function unionMessage(schema: Schema, branches: Schema[]): string {
  if (typeof schema[ERROR_MESSAGE] === 'string') return schema[ERROR_MESSAGE] as string;
  if (branches.every((branch) => 'const' in branch)) {
    return `must be one of: ${list(branches.map((branch) => branch.const))}`;
  }
  const kinds = branches.map((branch) =>
    typeof branch[ERROR_MESSAGE] === 'string'
      ? (branch[ERROR_MESSAGE] as string).replace(/^must be /u, '')
      : typeName(schemaType(branch)),
  );
  return `must be ${list([...new Set(kinds)])}`;
}

/** The closest allowed name to one a client sent, when it is plausibly a typo or another casing. */
export function closestName(name: string, allowed: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replaceAll(/[-_\s]/gu, '');
  const exact = allowed.find((candidate) => squash(candidate) === squash(name));
  if (exact) return exact;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(squash(name), squash(candidate));
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  const tolerance = Math.max(1, Math.floor(name.length / 4));
  return best && best.distance <= Math.min(tolerance, 3) ? best.name : undefined;
}

/** Edits from one name to another, a swap of two neighbours counting as one (optimal string alignment). */
function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Number.POSITIVE_INFINITY;
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** One sentence a person can act on, for one failed keyword. */
function messageOf(issue: Issue): string {
  const params = issue.params;
  const schema = (issue.parentSchema ?? {}) as Schema;
  switch (issue.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties': {
      const allowed = Object.keys((schema.properties as Schema | undefined) ?? {});
      const suggestion = closestName(String(params.additionalProperty), allowed);
      return suggestion
        ? `is not an allowed field (did you mean "${suggestion}"?)`
        : 'is not an allowed field';
    }
    case 'type':
      return `must be ${typeName(params.type)}`;
    case 'enum':
      return `must be one of: ${list(params.allowedValues as unknown[])}`;
    case 'const':
      return `must be ${list([params.allowedValue])}`;
    case 'anyOf':
    case 'oneOf':
      return unionMessage(schema, (issue.schema as Schema[] | undefined) ?? []);
    case 'minimum':
      return `must be at least ${params.limit}`;
    case 'maximum':
      return `must be at most ${params.limit}`;
    case 'exclusiveMinimum':
      return `must be greater than ${params.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${params.limit}`;
    case 'multipleOf':
      return `must be a multiple of ${params.multipleOf}`;
    case 'minLength':
      return params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long`;
    case 'maxLength':
      return `must be at most ${params.limit} characters long`;
    case 'minItems':
      return `must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${params.limit} items`;
    case 'minProperties':
      return `must have at least ${params.limit} field${params.limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return 'must not repeat an item';
    case 'format':
      return `must be ${FORMAT_NAMES[String(params.format)] ?? `in ${params.format} format`}`;
    case 'pattern':
      return typeof schema[ERROR_MESSAGE] === 'string'
        ? (schema[ERROR_MESSAGE] as string)
        : 'is not in the expected format';
    default:
      return issue.message ?? 'is invalid';
  }
}

function pathOf(context: string, issue: Issue): string {
  const field = (issue.params.missingProperty ?? issue.params.additionalProperty) as string | undefined;
  const pointer = `${issue.instancePath}${field ? `/${field}` : ''}`;
  const segments = pointer
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
  return [context, ...segments].join('.');
}

/**
 * Ajv's errors (collected with `allErrors` and `verbose`) as one clear message per field: a
 * union's branch errors fold into the union's — or into the one branch that takes the value's
 * kind, so `"price": "abc"` says what a price string looks like — and each path keeps its first.
 */
export function fieldErrors(context: string, issues: readonly Issue[]): FieldError[] {
  const unions = issues.filter((issue) => issue.keyword === 'anyOf' || issue.keyword === 'oneOf');
  const kept = issues.filter((issue) => {
    const union = unions.find(
      (candidate) => candidate !== issue && issue.schemaPath.startsWith(`${candidate.schemaPath}/`),
    );
    if (!union) return true;
    const branches = (union.schema as Schema[] | undefined) ?? [];
    const kind = jsonType(union.data);
    const taking = branches
      .map((branch, index) => ({ index, types: schemaType(branch) }))
      .filter(({ types }) => types.includes(kind) || (kind === 'integer' && types.includes('number')));
    if (taking.length !== 1) return false;
    return issue.schemaPath.startsWith(`${union.schemaPath}/${taking[0]!.index}/`);
  });
  const byPath = new Map<string, string>();
  for (const issue of kept) {
    const path = pathOf(context, issue);
    const narrowed =
      unions.includes(issue) && kept.some((other) => other.schemaPath.startsWith(`${issue.schemaPath}/`));
    if (narrowed || byPath.has(path)) continue;
    byPath.set(path, messageOf(issue));
    if (byPath.size === MAX_ERRORS) break;
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}
