import {
  codeSpans,
  type MarkdownDocument,
  type MarkdownTable,
  type TableCell,
  tablesOf,
} from './markdown.js';
import {
  compareFields,
  expandedPaths,
  type FieldPath,
  type JsonSchema,
  parseShape,
  resolver,
  schemaFields,
} from './shape-notation.js';

/**
 * The checks that hold docs/api.md's route tables to the app. Like the others (api-guide-resources.ts)
 * each returns what is wrong as sentences, so a failing test says which line of the guide to change.
 */

interface Parameter {
  in: string;
  name: string;
}
export interface Operation {
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
}

export interface Route {
  method: string;
  path: string;
}

/** Statuses the overview explains for every route; a route table need not repeat them. */
export const GENERAL_STATUSES = new Set([400, 401, 403, 413, 414, 415, 429, 500, 503]);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ROUTE_CELL = new RegExp(`^(${METHODS.join('|')}) (/\\S*)$`, 'u');
const MENTION = new RegExp(`\\b(${METHODS.join('|')}) (/[^\\s\`'"?#),]*)`, 'gu');
export const DOTTED_CODE = /^[A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+$/u;

export const key = (route: Route) => `${route.method} ${route.path}`;

/** `/api/products/:id/` as registered → `/api/products/{id}`, as the OpenAPI document writes it. */
export function openApiPath(url: string): string {
  const path = url.replace(/:(\w+)/gu, '{$1}');
  return path.length > 1 ? path.replace(/\/$/u, '') : path;
}

export function operationsOf(document: OpenApiDocument): (Route & { operation: Operation })[] {
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      operation,
    })),
  );
}

/** Whether `path` (concrete, or a template itself) is a path of the route `template`. */
function templateMatches(template: string, path: string): boolean {
  const want = template.split('/');
  const got = path.split('/');
  const isParameter = (segment: string) => /^\{[^}]+\}$/u.test(segment);
  return (
    want.length === got.length &&
    want.every((segment, at) => segment === got[at] || (isParameter(segment) && got[at] !== ''))
  );
}

interface RouteRow extends Route {
  who: string;
  input: TableCell;
  answers: TableCell;
}

export function tablesWith(guide: MarkdownDocument, header: string[]): MarkdownTable[] {
  return tablesOf(guide).filter((table) => header.every((name, index) => table.header[index] === name));
}

function routeRows(guide: MarkdownDocument, problems: string[]): RouteRow[] {
  return tablesWith(guide, ['route', 'who', 'input', 'answers']).flatMap((table) =>
    table.rows.flatMap(([route, who, input, answers]) => {
      const match = ROUTE_CELL.exec(codeSpans(route?.tokens ?? [])[0] ?? '');
      if (!match || !who || !input || !answers) {
        problems.push(
          `a route table row of "${table.heading}" is not \`METHOD /path\` | who | input | answers`,
        );
        return [];
      }
      return [{ method: match[1]!, path: match[2]!, who: who.raw.trim(), input, answers }];
    }),
  );
}

/** `201 the user · 409 \`USERS.EMAIL_TAKEN\`` → each segment's status and the codes it names. */
export function answerSegments(cell: TableCell): { status: number; codes: string[] }[] {
  return cell.raw.split('·').map((segment) => ({
    status: Number(/^\s*(\d{3})\b/u.exec(segment)?.[1] ?? Number.NaN),
    codes: [...segment.matchAll(/`([^`]+)`/gu)]
      .map((match) => match[1]!)
      .filter((code) => DOTTED_CODE.test(code)),
  }));
}

export function schemaOf(
  content: Record<string, { schema: JsonSchema }> | undefined,
): JsonSchema | undefined {
  return content ? Object.values(content)[0]?.schema : undefined;
}

function checkInput(row: RouteRow, operation: Operation, resolve: (s: JsonSchema) => JsonSchema): string[] {
  const problems: string[] = [];
  const where = key(row);
  const spans = codeSpans(row.input.tokens);
  const bodies = spans.filter((span) => span.startsWith('{'));
  const query = spans.filter((span) => span.startsWith('?')).flatMap((span) => span.slice(1).split(','));
  const headers = spans.filter((span) => !span.startsWith('{') && !span.startsWith('?'));
  const paging = /\bpaged\b/u.test(row.input.raw) ? ['page', 'limit'] : [];
  const documentedQuery = new Set([...query.map((name) => name.trim()).filter(Boolean), ...paging]);
  const parameters = operation.parameters ?? [];
  const sameSet = (what: string, documented: Set<string>, actual: Set<string>) => {
    for (const name of documented)
      if (!actual.has(name))
        problems.push(`${where}: documents ${what} ${name}, which the route does not take`);
    for (const name of actual)
      if (!documented.has(name)) problems.push(`${where}: takes ${what} ${name}, not documented`);
  };
  sameSet(
    'query parameter',
    documentedQuery,
    new Set(parameters.filter((p) => p.in === 'query').map((p) => p.name)),
  );
  sameSet(
    'header',
    new Set(headers.map((name) => name.toLowerCase())),
    new Set(parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase())),
  );
  const body = schemaOf(operation.requestBody?.content);
  let documented: FieldPath[] = [];
  try {
    documented = bodies.flatMap(parseShape);
  } catch (error) {
    return [...problems, `${where}: ${(error as Error).message}`];
  }
  if (!body) {
    if (documented.length > 0) problems.push(`${where}: documents a body, but the route takes none`);
    return problems;
  }
  if (bodies.length === 0) return [...problems, `${where}: takes a body, not documented`];
  const expand = expandedPaths(documented.map((field) => field.path));
  return [
    ...problems,
    ...compareFields(`${where} body`, documented, schemaFields(body, resolve, expand), { optionality: true }),
  ];
}

function checkAnswers(row: RouteRow, operation: Operation): string[] {
  const problems: string[] = [];
  const declared = new Set(Object.keys(operation.responses ?? {}).map(Number));
  const listed = answerSegments(row.answers).map((segment) => segment.status);
  if (listed.some(Number.isNaN)) problems.push(`${key(row)}: every answer must start with its status`);
  for (const status of listed) {
    if (!Number.isNaN(status) && !declared.has(status))
      problems.push(`${key(row)}: lists ${status}, which the route does not declare`);
  }
  for (const status of declared) {
    if (!GENERAL_STATUSES.has(status) && !listed.includes(status))
      problems.push(`${key(row)}: declares ${status}, not listed`);
  }
  return problems;
}

function checkWho(row: RouteRow, operation: Operation): string[] {
  const open = (operation.security ?? []).length === 0;
  if (open && row.who !== 'anyone') return [`${key(row)}: needs no token, but the guide says "${row.who}"`];
  if (!open && row.who === 'anyone') return [`${key(row)}: needs a token, but the guide says "anyone"`];
  return [];
}

/**
 * Every operation of the OpenAPI document has one row, whose who, input and answers match it; every
 * row, and every `METHOD /path` the guide mentions anywhere, names a route the app has.
 */
export function checkRoutes(guide: MarkdownDocument, openapi: OpenApiDocument, appRoutes: Route[]): string[] {
  const problems: string[] = [];
  const rows = routeRows(guide, problems);
  const resolve = resolver(openapi);
  const operations = operationsOf(openapi);
  const existing = new Set(appRoutes.map(key));
  for (const operation of operations) {
    const count = rows.filter((row) => key(row) === key(operation)).length;
    if (count === 0)
      problems.push(`${key(operation)} is in the OpenAPI document but in no route table of the guide`);
    if (count > 1) problems.push(`${key(operation)} has ${count} rows`);
  }
  for (const row of rows) {
    if (!existing.has(key(row))) problems.push(`the guide lists ${key(row)}, which the app does not have`);
    const found = operations.find((operation) => key(operation) === key(row));
    if (!found) continue;
    problems.push(
      ...checkWho(row, found.operation),
      ...checkInput(row, found.operation, resolve),
      ...checkAnswers(row, found.operation),
    );
  }
  for (const [, method, path] of guide.text.matchAll(MENTION)) {
    const mention = path!.replace(/[.:;]+$/u, '');
    const known = appRoutes.some((route) => route.method === method && templateMatches(route.path, mention));
    if (!known) problems.push(`the guide mentions ${method} ${mention}, which the app does not have`);
  }
  return problems;
}
