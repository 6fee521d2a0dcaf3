import { topicMatches } from '../../src/platform/events/topic-pattern.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { queueName } from '../../src/platform/module.js';
import {
  answerSegments,
  DOTTED_CODE,
  key,
  type OpenApiDocument,
  type Route,
  schemaOf,
  tablesWith,
} from './api-guide-routes.js';
import { codeSpans, type MarkdownDocument } from './markdown.js';
import {
  compareFields,
  expandedPaths,
  type JsonSchema,
  parseShape,
  resolver,
  schemaFields,
} from './shape-notation.js';

/** The checks that hold the guide's fields tables, events tables and error codes to the code. */

/** A fields table (`| field | type | meaning |` under `heading`) documents the answer of one route. */
export interface FieldTable extends Route {
  heading: string;
  status: number;
}

export function checkFieldTables(
  guide: MarkdownDocument,
  openapi: OpenApiDocument,
  expected: FieldTable[],
): string[] {
  const problems: string[] = [];
  const resolve = resolver(openapi);
  const tables = tablesWith(guide, ['field']);
  for (const table of tables) {
    if (!expected.some((entry) => entry.heading === table.heading)) {
      problems.push(
        `the fields table under "${table.heading}" is not held to any route (add it to the test's list)`,
      );
    }
  }
  for (const entry of expected) {
    const table = tables.find((candidate) => candidate.heading === entry.heading);
    if (!table) {
      problems.push(`no fields table under a heading "${entry.heading}"`);
      continue;
    }
    const operation = openapi.paths[entry.path]?.[entry.method.toLowerCase()];
    const schema = schemaOf(operation?.responses?.[String(entry.status)]?.content);
    if (!schema) {
      problems.push(`"${entry.heading}": ${key(entry)} has no ${entry.status} answer with a body`);
      continue;
    }
    const documented = table.rows.map(([field]) => ({
      path: codeSpans(field?.tokens ?? [])[0] ?? '',
      optional: false,
    }));
    const expand = expandedPaths(documented.map((field) => field.path));
    problems.push(
      ...compareFields(`"${entry.heading}"`, documented, schemaFields(schema, resolve, expand), {
        optionality: false,
      }),
    );
  }
  return problems;
}

/** The events tables list every event of every contract once, with its payload and its consumers' queues. */
export function checkEvents(guide: MarkdownDocument, modules: readonly ModuleDefinition[]): string[] {
  const problems: string[] = [];
  const tables = tablesWith(guide, ['exchange', 'routing key']);
  const rows = tables.flatMap((table) =>
    table.rows.map((cells) => {
      const cell = (name: string) => cells[table.header.indexOf(name)]?.tokens ?? [];
      return {
        exchange: codeSpans(cell('exchange'))[0] ?? '',
        routingKey: codeSpans(cell('routing key'))[0] ?? '',
        payload: codeSpans(cell('payload beyond the envelope'))[0] ?? '',
        consumers: codeSpans(cell('consumed by')),
      };
    }),
  );
  const events = modules.flatMap((module) =>
    (module.publishes?.events ?? []).map((event) => ({ exchange: module.publishes!.exchange, ...event })),
  );
  for (const row of rows) {
    const name = `${row.exchange} ${row.routingKey}`;
    const event = events.find((candidate) => `${candidate.exchange} ${candidate.routingKey}` === name);
    if (!event) {
      problems.push(`the guide lists the event ${name}, which no module publishes`);
      continue;
    }
    try {
      const documented = parseShape(row.payload);
      const expand = expandedPaths(documented.map((field) => field.path));
      const actual = schemaFields(event.payload as JsonSchema, (schema) => schema, expand);
      problems.push(...compareFields(`${name} payload`, documented, actual, { optionality: true }));
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    }
    const consumers = modules.flatMap((module) =>
      module.consumes
        .filter((consumption) => consumption.exchange === row.exchange)
        .filter((consumption) =>
          consumption.patterns.some((pattern) => topicMatches(pattern, row.routingKey)),
        )
        .map(() => queueName(module.name, row.exchange)),
    );
    if ([...consumers].sort().join() !== [...row.consumers].sort().join()) {
      problems.push(
        `${name}: consumed by ${consumers.join(', ') || 'no queue'}, the guide says ${row.consumers.join(', ') || 'none'}`,
      );
    }
  }
  for (const event of events) {
    const count = rows.filter(
      (row) => row.exchange === event.exchange && row.routingKey === event.routingKey,
    ).length;
    if (count !== 1)
      problems.push(`the event ${event.exchange} ${event.routingKey} has ${count} rows in the events tables`);
  }
  return problems;
}

/**
 * Every code the source can answer is in the guide, every dotted code the guide names exists, and
 * where the guide says which status a code comes with (a route's answers, the codes table), it is
 * the status the source gives it.
 */
export function checkErrorCodes(guide: MarkdownDocument, codes: Map<string, number | undefined>): string[] {
  const problems: string[] = [];
  const spans = new Set(codeSpans(guide.tokens));
  for (const code of codes.keys())
    if (!spans.has(code)) problems.push(`the code can answer ${code}, which the guide does not name`);
  for (const span of spans) {
    if (DOTTED_CODE.test(span) && !codes.has(span))
      problems.push(`the guide names ${span}, which the code never answers`);
  }
  const stated: { code: string; statuses: number[] }[] = [];
  for (const table of tablesWith(guide, ['route', 'who', 'input', 'answers'])) {
    for (const row of table.rows) {
      for (const segment of answerSegments(row[3] ?? { raw: '', tokens: [] })) {
        stated.push(...segment.codes.map((code) => ({ code, statuses: [segment.status] })));
      }
    }
  }
  for (const table of tablesWith(guide, ['code', 'status'])) {
    for (const [code, status] of table.rows) {
      const statuses = [...(status?.raw ?? '').matchAll(/\d{3}/gu)].map((match) => Number(match[0]));
      stated.push(...codeSpans(code?.tokens ?? []).map((name) => ({ code: name, statuses })));
    }
  }
  for (const { code, statuses } of stated) {
    const actual = codes.get(code);
    if (actual !== undefined && !statuses.includes(actual))
      problems.push(`${code} comes with ${actual}, the guide says ${statuses.join(' or ')}`);
  }
  return problems;
}
