import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { RouteRecord } from '../../src/platform/platform.js';
import { sweepRequests } from './attack-sweep.js';
import {
  type Finding,
  type Knowledge,
  type Role,
  responseProblems,
  routeKey,
  type Viewer,
} from './response-checks.js';
import {
  type Hints,
  type JsonSchema,
  type Mode,
  type RequestParts,
  requestArbitrary,
} from './schema-arbitraries.js';

/** Who sends the fuzzed requests: the headers each role sends, and who it is (for the exposure check). */
export type Actors = Record<Role, { headers: Record<string, string>; viewer: Viewer }>;

export interface FuzzOptions {
  /** The base seed; each route and mode gets its own, derived from it and the route. */
  seed: number;
  /** Runs per route and mode (valid, mutated). */
  numRuns: number;
  hints: Hints;
  actors: Actors;
  knowledge: Knowledge;
  /** Stops a route's runs after this long (the runs done still count). */
  timeLimitMs?: number;
}

export const DEFAULT_FUZZ_SEED = 20_250_909;

/** The fuzz seed: FUZZ_SEED from the environment to replay or explore, else a fixed one. */
export function fuzzSeed(): number {
  const given = Number(process.env.FUZZ_SEED);
  return Number.isSafeInteger(given) && given !== 0 ? given : DEFAULT_FUZZ_SEED;
}

/** A stable 31-bit seed per route and mode, so that adding a route does not change the others' runs. */
export function seedFor(base: number, key: string): number {
  let hash = base | 0;
  for (const char of key) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return hash & 0x7fffffff;
}

function describeRequest(method: string, parts: RequestParts, role: Role): string {
  const body = parts.payload === undefined ? '' : ` body=${parts.payload.slice(0, 300)}`;
  const type = parts.contentType ? ` content-type=${parts.contentType}` : '';
  return `${role} ${method} ${parts.path}${parts.query}${type}${body} [${parts.mutation}]`;
}

async function send(
  app: FastifyInstance,
  method: string,
  parts: RequestParts,
  headers: Record<string, string>,
) {
  const all: Record<string, string> = { ...parts.headers, ...headers };
  if (parts.payload !== undefined) all['content-type'] = parts.contentType ?? 'application/json';
  return app.inject({
    method: method as 'GET',
    url: `${parts.path}${parts.query}`,
    headers: all,
    ...(parts.payload === undefined ? {} : { payload: parts.payload }),
  });
}

/** The problems of an answer, without the parts that change from run to run, to report each kind once. */
function kindOf(problem: string): string {
  return problem.replace(/[:"(].*$/u, '').replace(/\d+/gu, 'N');
}

/**
 * Fuzzes one route: the sweep (every field × every class of attack), then random requests, valid
 * and mutated, as every role. Reports every kind of answer that breaks the rules of
 * `responseProblems` once, with what replays it: the sweep case, or the seed and path of the run
 * (`fc.check(property, { seed, path })`), and FUZZ_SEED for the whole suite.
 */
export async function fuzzRoute(
  app: FastifyInstance,
  route: RouteRecord,
  options: FuzzOptions,
): Promise<Finding[]> {
  const findings = new Map<string, Finding>();
  const roles = Object.keys(options.actors) as Role[];
  const schema = route.schema as JsonSchema | undefined;
  const key = routeKey(route);

  async function check(parts: RequestParts, role: Role, mode: string, replay: string): Promise<void> {
    const actor = options.actors[role];
    let problems: string[];
    let summary = describeRequest(route.method, parts, role);
    try {
      const response = await send(app, route.method, parts, actor.headers);
      problems = responseProblems(route, response, actor.viewer, options.knowledge, parts.inputs);
      summary = `${summary} → ${response.statusCode} ${response.body.slice(0, 300)}`;
    } catch (error) {
      problems = [`the request could not be sent: ${String(error)}`];
    }
    const kind = `${mode} ${problems.map(kindOf).join(' | ')}`;
    if (problems.length === 0 || findings.has(kind)) return;
    findings.set(kind, { route: key, problem: problems.join(' | '), detail: `${replay}: ${summary}` });
  }

  // The sweep, as an admin (who gets past every guard to the handler): each field × each class of attack.
  const sweepSeed = seedFor(options.seed, `${key} sweep`);
  const sweep = sweepRequests({ ...route, schema }, options.hints, sweepSeed);
  const sweeper: Role = roles.includes('admin') ? 'admin' : (roles[0] as Role);
  for (const [index, parts] of sweep.entries()) {
    await check(
      parts,
      sweeper,
      'sweep',
      `sweep case ${index} (seed=${sweepSeed}, FUZZ_SEED=${options.seed})`,
    );
  }

  // Random requests, valid then mutated, as every role; the property records and goes on, so that
  // one kind of problem does not hide the others.
  for (const mode of ['valid', 'mutated'] as Mode[]) {
    const seed = seedFor(options.seed, `${key} ${mode}`);
    let run = 0;
    const property = fc.asyncProperty(
      requestArbitrary({ ...route, schema }, options.hints, mode),
      fc.constantFrom(...roles),
      async (parts, role) => {
        const replay = `${mode} run, replay with seed=${seed} path="${run}" (FUZZ_SEED=${options.seed})`;
        run += 1;
        await check(parts, role, mode, replay);
        return true;
      },
    );
    await fc.check(property, {
      seed,
      numRuns: options.numRuns,
      ...(options.timeLimitMs
        ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
        : {}),
    });
  }
  return [...findings.values()];
}

/** Routes in an order that keeps seeded rows alive longest: reads, then writes, then deletes. */
export function fuzzOrder(routes: readonly RouteRecord[]): RouteRecord[] {
  const rank = (method: string) => ({ GET: 0, POST: 1, PUT: 1, PATCH: 1, DELETE: 2 })[method] ?? 1;
  return routes.filter((route) => !route.hidden).sort((a, b) => rank(a.method) - rank(b.method));
}
