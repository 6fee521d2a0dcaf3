import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema } from 'fastify';

/**
 * Checks of one response, written as functions that answer the problems they find (an empty list
 * when there are none), so that a test can assert `[]` for the real app and assert the problems
 * for a deliberately broken fixture.
 */

export interface Finding {
  /** `METHOD /url` of the route as registered. */
  route: string;
  problem: string;
  /** How to reproduce: seed, request, response. */
  detail: string;
}

export type Role = 'anonymous' | 'customer' | 'admin';

export interface Viewer {
  role: Role;
  userId?: number;
}

/** What a test knows of the world, to tell a leak from an answer. */
export interface Knowledge {
  /** Emails of the users the test created, by user id. */
  emails: ReadonlyMap<number, string>;
}

/** The part of an inject response the checks read. */
export interface ResponseLike {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

export interface RouteLike {
  method: string;
  url: string;
  schema?: FastifySchema | undefined;
}

/** Statuses the contract gives clients (docs/api.md, Errors); 414 for an over-long path segment. */
export const CONTRACT_CLIENT_STATUSES = new Set([400, 401, 403, 404, 409, 413, 414, 415, 429]);

/** Field names that are internal: secrets, hashes, bookkeeping columns. */
export const FORBIDDEN_KEYS = new Set([
  'password',
  'password_hash',
  'passwordHash',
  'hash',
  'token_hash',
  'tokenHash',
  'refresh_token',
  'refresh_token_hash',
  'family',
  'family_id',
  'familyId',
  'version',
  'deleted',
  'deleted_at',
  'deletedAt',
  'revoked_at',
  'used_at',
  'request_hash',
  'secret',
]);

const SECRET_VALUES: [RegExp, string][] = [
  [/^\$argon2(id|i|d)\$/u, 'a password hash'],
  [/^[0-9a-f]{64}$/iu, 'a SHA-256 hex digest (refresh token hash?)'],
];

const INTERNALS: [RegExp, string][] = [
  [/\bat\s+[\w.<>$]+\s+\(|\bat\s+(file:|node:|\/)/u, 'a stack frame'],
  [/node_modules|\/work\/|\/src\/|\/test\/|\.[cm]?[tj]s:\d/u, 'a file path'],
  [
    /syntax error|invalid input syntax|invalid byte sequence|out of range for type|violates|duplicate key|stack depth|relation "|column "|unterminated/iu,
    'a database error',
  ],
  [/postgres|pglite|drizzle|sqlstate|\bpg_/iu, 'a driver name'],
  [
    /TypeError|ReferenceError|RangeError|Cannot read propert|is not a function|Maximum call stack|undefined is not/u,
    'a runtime error',
  ],
];

const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // A fresh instance per schema: several route schemas share one `$id` (Problem, CategoryTreeNode).
    const own = new Ajv.default({ strict: false, allErrors: true });
    addFormats.default(own);
    validate = own.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

export function routeKey(route: { method: string; url: string }): string {
  return `${route.method} ${route.url}`;
}

function responseSchemaFor(route: RouteLike, status: number): object | undefined {
  const response = (route.schema?.response ?? {}) as Record<string, object>;
  return response[status] ?? response[`${status}`] ?? response[`${String(status)[0]}xx`] ?? response.default;
}

function parse(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/** Every key and string value of a JSON value, iteratively (bodies may be deep). */
export function walkJson(value: unknown, visit: (key: string | undefined, item: unknown) => void): void {
  const stack: [string | undefined, unknown][] = [[undefined, value]];
  while (stack.length > 0) {
    const [key, item] = stack.pop() as [string | undefined, unknown];
    visit(key, item);
    if (item && typeof item === 'object') {
      for (const [childKey, child] of Object.entries(item)) {
        stack.push([Array.isArray(item) ? undefined : childKey, child]);
      }
    }
  }
}

function scrub(text: string, inputs: readonly string[]): string {
  let left = text;
  for (const input of inputs) if (input.length >= 2) left = left.split(input).join('');
  return left;
}

/** Stack traces, SQL errors, driver names or file paths that did not come from the request itself. */
export function internalsProblems(body: string, inputs: readonly string[]): string[] {
  const parsed = parse(body);
  const texts: string[] = [];
  if (parsed.ok) {
    walkJson(parsed.value, (key, item) => {
      if (key) texts.push(key);
      if (typeof item === 'string') texts.push(item);
    });
  } else texts.push(body);
  const problems = new Set<string>();
  for (const text of texts) {
    const left = scrub(text, inputs);
    for (const [pattern, what] of INTERNALS) {
      const match = pattern.exec(left);
      if (match)
        problems.add(`leaks ${what}: "${left.slice(Math.max(0, match.index - 30), match.index + 50)}"`);
    }
  }
  return [...problems];
}

/** Internal fields, secrets, and the emails of users other than the viewer (admins may see them). */
export function exposureProblems(
  value: unknown,
  viewer: Viewer,
  knowledge: Knowledge,
  inputs: readonly string[] = [],
): string[] {
  const problems = new Set<string>();
  const others = [...knowledge.emails]
    .filter(([id, email]) => id !== viewer.userId && !inputs.includes(email))
    .map(([, email]) => email.toLowerCase());
  walkJson(value, (key, item) => {
    if (key && FORBIDDEN_KEYS.has(key)) problems.add(`exposes the internal field "${key}"`);
    if (typeof item !== 'string') return;
    for (const [pattern, what] of SECRET_VALUES) if (pattern.test(item)) problems.add(`exposes ${what}`);
    if (viewer.role === 'admin') return;
    const lower = item.toLowerCase();
    for (const email of others) {
      if (lower.includes(email)) problems.add(`exposes another user's email ${email} to ${viewer.role}`);
    }
  });
  return [...problems];
}

export function problemShapeProblems(response: ResponseLike): string[] {
  const problems: string[] = [];
  const type = String(response.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json'))
    problems.push(`error is not problem+json (${type || 'none'})`);
  const parsed = parse(response.body);
  if (!parsed.ok || parsed.value === null || typeof parsed.value !== 'object') {
    return [...problems, 'error body is not a JSON object'];
  }
  const body = parsed.value as Record<string, unknown>;
  for (const field of ['type', 'title', 'detail', 'code']) {
    if (typeof body[field] !== 'string') problems.push(`problem lacks a string "${field}"`);
  }
  if (body.status !== response.statusCode)
    problems.push(`problem status ${String(body.status)} ≠ ${response.statusCode}`);
  return problems;
}

function successProblems(route: RouteLike, response: ResponseLike): string[] {
  const schema = responseSchemaFor(route, response.statusCode);
  if (response.statusCode === 204) return response.body === '' ? [] : ['204 with a body'];
  if (!schema) return [`answers ${response.statusCode}, which the route does not declare`];
  const parsed = parse(response.body);
  if (!parsed.ok) return ['2xx body is not JSON'];
  const validate = validatorFor(schema);
  if (validate(parsed.value)) return [];
  const errors = (validate.errors ?? [])
    .slice(0, 3)
    .map((error) => `${error.instancePath || '/'} ${error.message}`)
    .join('; ');
  return [`${response.statusCode} body violates its declared schema: ${errors}`];
}

/** Everything the fuzz requires of one answer. */
export function responseProblems(
  route: RouteLike,
  response: ResponseLike,
  viewer: Viewer,
  knowledge: Knowledge,
  inputs: readonly string[],
): string[] {
  const problems: string[] = [];
  const status = response.statusCode;
  if (status >= 500) problems.push(`server error ${status}`);
  else if (status >= 400) {
    if (!CONTRACT_CLIENT_STATUSES.has(status)) problems.push(`status ${status} is not one the contract uses`);
    problems.push(...problemShapeProblems(response));
  } else if (status >= 200 && status < 300) problems.push(...successProblems(route, response));
  problems.push(...internalsProblems(response.body, inputs));
  const parsed = parse(response.body);
  if (parsed.ok) problems.push(...exposureProblems(parsed.value, viewer, knowledge, inputs));
  return problems;
}
