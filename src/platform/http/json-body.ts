import type { FastifyInstance } from 'fastify';
import { BadRequestError } from './errors.js';

/** Deeper JSON is refused: no resource needs it, and serialising it (JSON.stringify, jsonb) overflows the stack. */
export const MAX_JSON_DEPTH = 32;

type Flaw = { path: string; kind: 'too-deep' | 'not-unicode' };

/**
 * The first container nested deeper than `MAX_JSON_DEPTH`, or the first key or string holding a
 * lone UTF-16 surrogate (`"\ud800"` parses, but is no Unicode text: PostgreSQL refuses it in
 * jsonb, and text columns would store U+FFFD instead), walked without recursion.
 */
export function flawOf(value: unknown): Flaw | undefined {
  const stack: [unknown, number, string][] = [[value, 0, 'body']];
  while (stack.length > 0) {
    const [item, depth, path] = stack.pop() as [unknown, number, string];
    if (typeof item === 'string') {
      if (!item.isWellFormed()) return { path, kind: 'not-unicode' };
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { path, kind: 'too-deep' };
    for (const [key, child] of Object.entries(item)) {
      if (!key.isWellFormed()) return { path, kind: 'not-unicode' };
      stack.push([child, depth + 1, `${path}.${key}`]);
    }
  }
  return undefined;
}

function flawError(flaw: Flaw): BadRequestError {
  const path = flaw.path.split('.').slice(0, 4).join('.');
  if (flaw.kind === 'too-deep') {
    const message = `nests deeper than ${MAX_JSON_DEPTH} levels`;
    return new BadRequestError('HTTP.JSON_TOO_DEEP', `The JSON body ${message}`, [{ path, message }]);
  }
  const message = 'is not valid Unicode text (it holds a lone UTF-16 surrogate)';
  return new BadRequestError('HTTP.INVALID_UNICODE', `The JSON body ${message}`, [{ path, message }]);
}

/** Fastify's JSON parser (same proto-poisoning rules and errors), then `flawOf`: a 400, never a 500. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = app.initialConfig;
  const parse = app.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning);
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    parse(request, text as string, (error, body) => {
      if (error) return done(error, undefined);
      const flaw = flawOf(body);
      if (flaw === undefined) return done(null, body);
      done(flawError(flaw), undefined);
    });
  });
}
