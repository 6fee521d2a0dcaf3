import type { FastifyInstance } from 'fastify';
import type { RouteRecord } from '../../src/platform/platform.js';
import { type Finding, problemShapeProblems, type ResponseLike, routeKey } from './response-checks.js';

/**
 * An authorization matrix: for every route, what each actor gets when acting on their own resource
 * and on someone else's. The table is written from the contract; the check answers its findings.
 */

export type Actor = 'anonymous' | 'customerA' | 'customerB' | 'admin';
export type Target = 'own' | 'other';
export const ACTORS: readonly Actor[] = ['anonymous', 'customerA', 'customerB', 'admin'];
export const TARGETS: readonly Target[] = ['own', 'other'];

/** Whose resource a cell acts on. Anonymous owns nothing: its "own" cell uses customer A's resource. */
export function ownerOf(actor: Actor, target: Target): Exclude<Actor, 'anonymous'> {
  if (target === 'own') return actor === 'anonymous' ? 'customerA' : actor;
  return actor === 'customerA' || actor === 'anonymous' ? 'customerB' : 'customerA';
}

export interface Cell<World> {
  world: World;
  actor: Actor;
  target: Target;
  /** The owner of the resource the request names. */
  owner: Exclude<Actor, 'anonymous'>;
}

export interface MatrixRequest {
  /** The path with its parameters filled in, and a query if any. */
  url: string;
  body?: unknown;
  /** Whose credentials the body carries (a login with the owner's password acts as the owner). */
  actingAs?: Actor;
}

export type Expectation = Record<Actor, Record<Target, number>>;

export interface MatrixRow<World> {
  expect: Expectation;
  /** Builds the request of a cell, making a fresh resource when the request uses one up. */
  request(cell: Cell<World>): Promise<MatrixRequest> | MatrixRequest;
  /** Checks beyond the status (a list holds only the actor's rows, a session was not ended…). */
  verify?(cell: Cell<World>, response: ResponseLike, request: MatrixRequest): Promise<string[]> | string[];
}

export type MatrixTable<World> = Record<string, MatrixRow<World>>;

export interface MatrixWorld {
  headersOf(actor: Actor): Record<string, string>;
}

const both = (status: number) => ({ own: status, other: status });

/** Anyone, signed in or not. */
export const everyone = (status: number): Expectation => ({
  anonymous: both(status),
  customerA: both(status),
  customerB: both(status),
  admin: both(status),
});

/** Any signed-in user; anonymous is a 401. */
export const signedIn = (status: number): Expectation => ({
  anonymous: both(401),
  customerA: both(status),
  customerB: both(status),
  admin: both(status),
});

/** Staff only: anonymous 401, customers 403. */
export const adminOnly = (status: number): Expectation => ({
  anonymous: both(401),
  customerA: both(403),
  customerB: both(403),
  admin: both(status),
});

/** A resource with an owner: what its owner gets, what another customer gets, and what an admin gets on another's. */
export const owned = (own: number, other: number, adminOther: number): Expectation => ({
  anonymous: both(401),
  customerA: { own, other },
  customerB: { own, other },
  admin: { own, other: adminOther },
});

/** Every route must have a row and every row a route: a new route without a row fails the matrix. */
export function coverageFindings(routes: readonly RouteRecord[], table: MatrixTable<unknown>): Finding[] {
  const keys = new Set(routes.filter((route) => !route.hidden).map(routeKey));
  const findings: Finding[] = [];
  for (const key of keys) {
    if (!(key in table)) {
      findings.push({ route: key, problem: 'has no row in the authorization matrix', detail: 'add its row' });
    }
  }
  for (const key of Object.keys(table)) {
    if (!keys.has(key))
      findings.push({ route: key, problem: 'has a row but no route', detail: 'remove the row' });
  }
  return findings;
}

export type Observer = (key: string, actor: Actor, response: ResponseLike, request: MatrixRequest) => void;

/** Sends every cell of one row and answers where the status (or the row's own check) is not the table's. */
export async function rowFindings<World extends MatrixWorld>(
  app: FastifyInstance,
  key: string,
  row: MatrixRow<World>,
  world: World,
  observe?: Observer,
  targets: readonly Target[] = TARGETS,
): Promise<Finding[]> {
  const [method = 'GET'] = key.split(' ');
  const findings: Finding[] = [];
  for (const actor of ACTORS) {
    for (const target of targets) {
      const cell: Cell<World> = { world, actor, target, owner: ownerOf(actor, target) };
      const request = await row.request(cell);
      const response = await app.inject({
        method: method as 'GET',
        url: request.url,
        headers: world.headersOf(actor),
        ...(request.body === undefined ? {} : { payload: request.body as object }),
      });
      observe?.(key, actor, response, request);
      const expected = row.expect[actor][target];
      const problems: string[] = [];
      if (response.statusCode !== expected)
        problems.push(`answers ${response.statusCode}, the contract says ${expected}`);
      if (response.statusCode >= 400) problems.push(...problemShapeProblems(response));
      if (row.verify && response.statusCode === expected)
        problems.push(...(await row.verify(cell, response, request)));
      if (problems.length > 0) {
        findings.push({
          route: key,
          problem: `${actor} on ${target === 'own' ? 'their own' : `${cell.owner}'s`} resource ${problems.join('; ')}`,
          detail: `${method} ${request.url} ${request.body === undefined ? '' : JSON.stringify(request.body)} → ${response.body.slice(0, 200)}`,
        });
      }
    }
  }
  return findings;
}

/** The whole matrix: coverage, then every row. */
export async function matrixFindings<World extends MatrixWorld>(
  app: FastifyInstance,
  table: MatrixTable<World>,
  world: World,
  observe?: Observer,
  targets: readonly Target[] = TARGETS,
): Promise<Finding[]> {
  const findings = coverageFindings(app.platform.routes, table as MatrixTable<unknown>);
  const routed = new Set(app.platform.routes.map(routeKey));
  for (const [key, row] of Object.entries(table)) {
    if (routed.has(key)) findings.push(...(await rowFindings(app, key, row, world, observe, targets)));
  }
  return findings;
}
