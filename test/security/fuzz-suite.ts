import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRecord } from '../../src/platform/platform.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { type Actors, fuzzOrder, fuzzRoute, fuzzSeed } from './fuzz-runner.js';
import type { Finding } from './response-checks.js';
import { hintsFor, knowledgeOf, SECURITY_CONFIG, type Shop, seedShop } from './shop-seed.js';

/** Which file fuzzes which modules' routes (null: the platform's own), so that each file stays short. */
export const FUZZ_GROUPS = {
  users: ['users', null],
  catalog: ['categories', 'products'],
  commerce: ['cart', 'orders', 'reviews'],
} as const satisfies Record<string, readonly (string | null)[]>;

/** Runs per route and mode (valid, mutated); FUZZ_RUNS raises it for a longer local hunt. */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS) || 15;
/** A bound per route and mode, so that a slow machine shortens the hunt rather than failing on time. */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS) || 4_000;

/** Fresh tokens for every route: a route fuzzed before may have deactivated or demoted the seeded users. */
async function actorsFor(t: TestApp, shop: Shop): Promise<Actors> {
  return {
    anonymous: { headers: {}, viewer: { role: 'anonymous' } },
    customer: {
      headers: await t.bearer({ id: shop.customerA.id }),
      viewer: { role: 'customer', userId: shop.customerA.id },
    },
    admin: {
      headers: await t.bearer({ id: shop.admin.id, isStaff: true }),
      viewer: { role: 'admin', userId: shop.admin.id },
    },
  };
}

/**
 * The fuzz suite for the routes of some modules (null: the platform's own), on the whole app with a
 * seeded shop: each module's routes other than DELETE, then the DELETE routes, last, so that the
 * seeded rows serve the others as long as possible.
 */
export function describeFuzz(
  owners: readonly (string | null)[],
  options: { checkGroups?: boolean } = {},
): void {
  const seed = fuzzSeed();
  const names = owners.map((owner) => owner ?? 'platform').join(', ');
  describe(`fuzzing the ${names} routes (FUZZ_SEED=${seed}, ${FUZZ_RUNS} runs per route and mode)`, () => {
    let t: TestApp;
    let shop: Shop;
    beforeAll(async () => {
      t = await buildTestApp({ config: SECURITY_CONFIG });
      shop = await seedShop(t);
    });
    afterAll(async () => t?.close());

    async function fuzz(routes: RouteRecord[]): Promise<Finding[]> {
      const findings: Finding[] = [];
      for (const route of fuzzOrder(routes)) {
        const started = Date.now();
        const options = {
          seed,
          numRuns: FUZZ_RUNS,
          hints: hintsFor(shop, route.module),
          actors: await actorsFor(t, shop),
          knowledge: knowledgeOf(shop),
          timeLimitMs: TIME_LIMIT_MS,
        };
        findings.push(...(await fuzzRoute(t.app, route, options)));
        if (process.env.FUZZ_TIMING) console.log(`${route.method} ${route.url}: ${Date.now() - started} ms`);
      }
      return findings;
    }

    if (options.checkGroups) {
      it('when the app starts, then every route belongs to a fuzz group (none escapes the fuzz)', () => {
        const grouped: readonly (string | null)[] = Object.values(FUZZ_GROUPS).flat();
        const loose = t.app.platform.routes.filter(
          (route) => !route.hidden && !grouped.includes(route.module),
        );
        expect(loose.map((route) => `${route.method} ${route.url} (${route.module})`)).toEqual([]);
      });
    }

    for (const owner of owners) {
      it(`when the ${owner ?? 'platform'} routes (other than DELETE) get valid and hostile requests as anonymous, customer and admin, then no answer is a 5xx, a bare error, a leak or off its schema`, async () => {
        const routes = t.app.platform.routes.filter(
          (route) => route.module === owner && route.method !== 'DELETE',
        );
        expect(routes.length, 'routes to fuzz').toBeGreaterThan(0);
        expect(await fuzz(routes)).toEqual([]);
      }, 90_000);
    }

    it(`when the DELETE routes of ${names} get valid and hostile requests, then no answer breaks the rules`, async () => {
      const routes = t.app.platform.routes.filter(
        (route) => owners.includes(route.module) && route.method === 'DELETE',
      );
      expect(await fuzz(routes)).toEqual([]);
    }, 90_000);
  });
}
