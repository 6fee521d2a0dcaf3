import { registerHooks } from 'node:module';

const DRIZZLE = '/node_modules/drizzle-orm/';
const RELATIVE_JS = /^\.\.?\/.+\.js$/;

/** How many imports `registerPackageResolution`'s hook has resolved itself, for tests. */
export const resolvedHere = { count: 0 };

/**
 * drizzle-orm's package.json carries a 179 KB `exports` map, and Node 24 parses it again for each
 * `.js` file of the package it resolves: to learn a file's format it reads the file's package
 * scope (`getPackageScopeConfig`), and spreading that object runs the lazy parse of `exports` in
 * full every time. About 450 files: ~0.45 s of a 1.4 s start to `/health/ready` (a CPU profile of
 * `node dist/server.js`: 480 ms in that parse). drizzle-orm is an ES module package (`"type":
 * "module"`, held by a test) whose files import each other by relative paths with their extension,
 * so such an import is answered here as Node answers it — the URL relative to the importing file,
 * format `module` — without the lookup. Anything else goes to Node's own resolution.
 */
export function drizzleFileResolution(
  specifier: string,
  parentURL: string | undefined,
): { url: string; format: 'module' } | undefined {
  if (!parentURL?.startsWith('file:') || !parentURL.includes(DRIZZLE) || !RELATIVE_JS.test(specifier)) {
    return undefined;
  }
  const url = new URL(specifier, parentURL);
  // Only within the package: its own files share its scope.
  const root = parentURL.slice(0, parentURL.indexOf(DRIZZLE) + DRIZZLE.length);
  if (!url.href.startsWith(root)) return undefined;
  return { url: url.href, format: 'module' };
}

/** Installs the resolution above for the process; call it before drizzle-orm is imported. */
export function registerPackageResolution(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const known = drizzleFileResolution(specifier, context.parentURL);
      if (!known) return nextResolve(specifier, context);
      resolvedHere.count++;
      return { ...known, shortCircuit: true };
    },
  });
}
