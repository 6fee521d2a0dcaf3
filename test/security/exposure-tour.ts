import type { Actor, Observer } from './authorization-matrix.js';
import { exposureProblems, type Finding, type Knowledge, type Viewer } from './response-checks.js';
import { stringsOf } from './schema-arbitraries.js';

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
