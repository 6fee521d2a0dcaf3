import { ALL_MODULES } from '../../src/app.js';
import type { RouteAccess } from '../../src/platform/http/auth.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { buildTestApp } from './test-app.js';

export interface AppRoute {
  method: string;
  /** The full path as Fastify knows it: `/api/products/:id`, `/docs/*` printed as `/docs*`. */
  url: string;
  /** The module that registered it; null for the platform's own routes (docs, health, metrics). */
  module: string | null;
  /** Who may call it, from its guard (`app.platform.routes`); `public` when unguarded. */
  access?: RouteAccess;
}

/**
 * Wraps each module so that an `onRoute` hook, added to the module's scope before the module
 * registers anything, records every route it (or a plugin inside it) registers.
 */
export function recordingRoutes(modules: readonly ModuleDefinition[], sink: AppRoute[]): ModuleDefinition[] {
  return modules.map((module) => ({
    ...module,
    async register(scope, context) {
      scope.addHook('onRoute', (route) => {
        for (const method of [route.method].flat())
          sink.push({ method, url: route.url, module: module.name });
      });
      await module.register(scope, context);
    },
  }));
}

/** printRoutes shows `/docs/*` as `/docs*` and a prefix's `/` route without the slash. */
function printedForm(url: string): string {
  return url.replace(/\/\*$/u, '*').replace(/(.)\/$/u, '$1');
}

const PRINTED_ROUTE = /^(?<indent>(?:[│ ] {3})*)[├└]── (?<segment>\S+)(?: \((?<methods>[^)]*)\))?$/u;

/** Full paths and methods from `app.printRoutes({ commonPrefix: false })`, which nests by path. */
export function parsePrintedRoutes(printed: string): { method: string; url: string }[] {
  const parents: string[] = [];
  const routes: { method: string; url: string }[] = [];
  for (const line of printed.split('\n')) {
    const match = PRINTED_ROUTE.exec(line);
    if (!match?.groups) continue;
    const depth = (match.groups.indent?.length ?? 0) / 4;
    const url = (parents[depth - 1] ?? '') + match.groups.segment;
    parents.length = depth;
    parents[depth] = url;
    for (const method of match.groups.methods?.split(', ') ?? []) routes.push({ method, url });
  }
  return routes;
}

/**
 * The route table of the whole app as it really starts (every module, the platform's own routes),
 * each route attributed to the module that registered it.
 */
export async function appRouteTable(modules: readonly ModuleDefinition[] = ALL_MODULES): Promise<AppRoute[]> {
  const recorded: AppRoute[] = [];
  const t = await buildTestApp({ modules: recordingRoutes(modules, recorded) });
  try {
    const printed = parsePrintedRoutes(t.app.printRoutes({ commonPrefix: false }));
    const key = (route: { method: string; url: string }) => `${route.method} ${printedForm(route.url)}`;
    const moduleOf = new Map(recorded.map((route) => [key(route), route.module]));
    const accessOf = new Map(t.app.platform.routes.map((route) => [key(route), route.access]));
    const table = printed.map((route) => ({
      ...route,
      module: moduleOf.get(key(route)) ?? null,
      // HEAD is Fastify's twin of a GET route, with its guard.
      access: accessOf.get(key(route.method === 'HEAD' ? { ...route, method: 'GET' } : route)) ?? 'public',
    }));
    const missing = recorded.filter((route) => !table.some((row) => key(row) === key(route)));
    if (missing.length > 0) {
      throw new Error(
        `printRoutes left out recorded routes: ${missing.map((r) => `${r.method} ${r.url}`).join(', ')}`,
      );
    }
    return table;
  } finally {
    await t.close();
  }
}
