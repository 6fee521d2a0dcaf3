import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import {
  type Actor,
  adminOnly,
  coverageFindings,
  everyone,
  type MatrixTable,
  type MatrixWorld,
  matrixFindings,
  signedIn,
} from './authorization-matrix.js';
import { exposureObserver } from './exposure-tour.js';
import { brokenModule, OTHER_USER_EMAIL } from './fixtures/broken-module.js';
import { type Actors, fuzzRoute } from './fuzz-runner.js';
import type { Finding, Knowledge, Viewer } from './response-checks.js';

/**
 * The checks of the security suites, run against a module with deliberate mistakes: each check must
 * report its mistake, or the suites that find nothing on the real modules prove nothing.
 */
const IDS = { customerA: 1, customerB: 2, admin: 3 } as const;
const knowledge: Knowledge = {
  emails: new Map([
    [IDS.customerA, 'a@mail.test'],
    [IDS.customerB, 'b@mail.test'],
    [999, OTHER_USER_EMAIL],
  ]),
};

const viewerOf = (actor: Actor): Viewer =>
  actor === 'anonymous'
    ? { role: 'anonymous' }
    : { role: actor === 'admin' ? 'admin' : 'customer', userId: IDS[actor] };

const finding = (route: string, problem: string) =>
  expect.objectContaining({ route, problem: expect.stringContaining(problem) });

describe('the security checks on a deliberately broken module', () => {
  let t: TestApp;
  let headers: Record<Actor, Record<string, string>>;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [brokenModule] });
    headers = {
      anonymous: {},
      customerA: await t.bearer({ id: IDS.customerA }),
      customerB: await t.bearer({ id: IDS.customerB }),
      admin: await t.bearer({ id: IDS.admin, isStaff: true }),
    };
  });
  afterAll(async () => t?.close());

  it('when the fuzz runs on the broken routes, then it reports the 500, the leaks, the internals and the off-schema body', async () => {
    const actors: Actors = {
      anonymous: { headers: headers.anonymous, viewer: viewerOf('anonymous') },
      customer: { headers: headers.customerA, viewer: viewerOf('customerA') },
      admin: { headers: headers.admin, viewer: viewerOf('admin') },
    };
    const findings: Finding[] = [];
    const routes = t.app.platform.routes.filter(
      (candidate) => candidate.module === 'broken' || candidate.url.startsWith('/health/'),
    );
    for (const route of routes) {
      findings.push(
        ...(await fuzzRoute(t.app, route, { seed: 7, numRuns: 20, hints: {}, actors, knowledge })),
      );
    }
    expect(findings).toEqual(
      expect.arrayContaining([
        finding('POST /api/broken/notes', 'server error 500'),
        finding('GET /api/broken/profile', 'exposes the internal field "password_hash"'),
        finding('GET /api/broken/profile', 'exposes a password hash'),
        finding('GET /api/broken/health', '200 body violates its declared schema'),
        finding('GET /api/broken/search', 'leaks a database error'),
        finding('GET /api/broken/directory', `exposes another user's email ${OTHER_USER_EMAIL} to customer`),
        finding('GET /api/broken/unlisted', 'answers 200, which the route does not declare'),
      ]),
    );
    // The health routes are not broken: nothing is reported for them.
    expect(findings.filter((found) => !found.route.includes('/api/broken/'))).toEqual([]);
  });

  const table: MatrixTable<MatrixWorld> = {
    'GET /health/live': { expect: everyone(200), request: () => ({ url: '/health/live' }) },
    'GET /health/ready': { expect: everyone(200), request: () => ({ url: '/health/ready' }) },
    'POST /api/broken/notes': {
      expect: everyone(201),
      request: () => ({ url: '/api/broken/notes', body: { text: 'a' } }),
    },
    'GET /api/broken/profile': { expect: signedIn(200), request: () => ({ url: '/api/broken/profile' }) },
    'GET /api/broken/admin/stats': {
      expect: adminOnly(200),
      request: () => ({ url: '/api/broken/admin/stats' }),
    },
    'GET /api/broken/health': { expect: everyone(200), request: () => ({ url: '/api/broken/health' }) },
    'GET /api/broken/search': { expect: everyone(200), request: () => ({ url: '/api/broken/search' }) },
    'GET /api/broken/directory': { expect: signedIn(200), request: () => ({ url: '/api/broken/directory' }) },
    'GET /api/broken/gone': { expect: everyone(404), request: () => ({ url: '/api/broken/gone' }) },
  };

  it('when the matrix runs, then it reports the route without its auth preHandler, the route without a row and the row without a route', async () => {
    const findings = await matrixFindings(t.app, table, { headersOf: (actor) => headers[actor] });
    expect(findings).toEqual(
      expect.arrayContaining([
        finding(
          'GET /api/broken/admin/stats',
          'anonymous on their own resource answers 200, the contract says 401',
        ),
        finding(
          'GET /api/broken/admin/stats',
          'customerA on their own resource answers 200, the contract says 403',
        ),
        finding('GET /api/broken/unlisted', 'has no row in the authorization matrix'),
        finding('GET /api/broken/gone', 'has a row but no route'),
      ]),
    );
    const coverage = coverageFindings(t.app.platform.routes, table as MatrixTable<unknown>)
      .map((found) => found.route)
      .filter((route) => route.includes('/api/broken/'));
    expect(coverage.sort()).toEqual(['GET /api/broken/gone', 'GET /api/broken/unlisted']);
  });

  it("when the exposure tour walks the broken routes, then it reports the password hash and another user's email", async () => {
    const findings: Finding[] = [];
    await matrixFindings(
      t.app,
      table,
      { headersOf: (actor) => headers[actor] },
      exposureObserver(knowledge, viewerOf, findings),
    );
    expect(findings).toEqual(
      expect.arrayContaining([
        finding('GET /api/broken/profile', 'customerA: exposes the internal field "password_hash"'),
        finding('GET /api/broken/directory', `customerB: exposes another user's email ${OTHER_USER_EMAIL}`),
      ]),
    );
    expect(
      findings.filter(
        (found) => found.route === 'GET /api/broken/directory' && found.problem.startsWith('admin'),
      ),
    ).toEqual([]);
  });
});
