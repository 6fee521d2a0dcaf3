import type { FastifyInstance } from 'fastify';
import { BadRequestError } from './errors.js';

/** Deeper JSON is refused: no resource needs it, and serialising it (JSON.stringify, jsonb) overflows the stack. */
export const MAX_JSON_DEPTH = 32;

/** The path of the first container nested deeper than `MAX_JSON_DEPTH`, walked without recursion. */
export function tooDeepAt(value: unknown): string | undefined {
  const stack: [unknown, number, string][] = [[value, 0, 'body']];
  while (stack.length > 0) {
    const [item, depth, path] = stack.pop() as [unknown, number, string];
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return path;
    for (const [key, child] of Object.entries(item)) stack.push([child, depth + 1, `${path}.${key}`]);
  }
  return undefined;
}

/** Fastify's JSON parser (same proto-poisoning rules and errors), then a bound on nesting: a 400, never a 500. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = app.initialConfig;
  const parse = app.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    parse(request, text as string, (error, body) => {
      if (error) return done(error, undefined);
      const path = tooDeepAt(body);
      if (path === undefined) return done(null, body);
      const message = `nests deeper than ${MAX_JSON_DEPTH} levels`;
      done(
        new BadRequestError('HTTP.JSON_TOO_DEEP', `The JSON body ${message}`, [
          { path: path.split('.').slice(0, 4).join('.'), message },
        ]),
        undefined,
      );
    });
  });
}
