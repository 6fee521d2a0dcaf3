import type { Actor, Observer } from './authorization-matrix.js';
import { exposureProblems, type Finding, type Knowledge, type Viewer } from './response-checks.js';
import { type JsonSchema, stringsOf } from './schema-arbitraries.js';

/**
 * An observer for the authorization matrix that checks every successful answer for exposure
 * (internal fields, secrets, other users' emails), so that one scripted tour of every route as every
 * actor doubles as the exposure check.
 */
export function exposureObserver(
  knowledge: Knowledge,
  viewerOf: (actor: Actor) => Viewer,
  sink: Finding[],
): Observer {
  return (key, actor, response, request) => {
    if (response.statusCode < 200 || response.statusCode >= 300 || response.body === '') return;
    const inputs = [
      request.url,
      ...stringsOf(request.body === undefined ? undefined : JSON.stringify(request.body)),
    ];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return;
    }
    for (const problem of exposureProblems(body, viewerOf(request.actingAs ?? actor), knowledge, inputs)) {
      sink.push({
        route: key,
        problem: `${actor}: ${problem}`,
        detail: `${request.url} → ${response.body.slice(0, 200)}`,
      });
    }
  };
}

/** Object schemas in a body schema that would take fields they do not declare (maps of free-form values aside). */
export function openObjects(schema: JsonSchema, path = 'body'): string[] {
  const open: string[] = [];
  const stack: [JsonSchema, string][] = [[schema, path]];
  while (stack.length > 0) {
    const [node, at] = stack.pop() as [JsonSchema, string];
    if (node.properties && node.additionalProperties !== false) open.push(at);
    for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
      stack.push([child, `${at}.${name}`]);
    }
    if (node.items) stack.push([node.items, `${at}[]`]);
    for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
      stack.push([option, at]);
  }
  return open;
}
