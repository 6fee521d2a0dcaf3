import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { drizzleFileResolution } from '../../src/platform/package-resolution.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
const drizzleFile = new URL('node_modules/drizzle-orm/pg-core/table.js', root).href;

/** drizzle-orm's own imports, resolved without Node 24's parse of its package.json per file. */
describe('the resolution of drizzle-orm files', () => {
  it('when a drizzle-orm file imports a sibling by a relative path, then it is that file, an ES module', () => {
    expect(drizzleFileResolution('./columns/common.js', drizzleFile)).toEqual({
      url: new URL('node_modules/drizzle-orm/pg-core/columns/common.js', root).href,
      format: 'module',
    });
    expect(drizzleFileResolution('../sql/sql.js', drizzleFile)?.url).toBe(
      new URL('node_modules/drizzle-orm/sql/sql.js', root).href,
    );
  });

  it('when the import is bare, leaves the package, has no .js extension or comes from elsewhere, then Node resolves it', () => {
    expect(drizzleFileResolution('postgres', drizzleFile)).toBeUndefined();
    expect(drizzleFileResolution('drizzle-orm/pg-core', drizzleFile)).toBeUndefined();
    expect(drizzleFileResolution('../../postgres/src/index.js', drizzleFile)).toBeUndefined();
    expect(drizzleFileResolution('./columns/common', drizzleFile)).toBeUndefined();
    expect(drizzleFileResolution('./x.cjs', drizzleFile)).toBeUndefined();
    expect(
      drizzleFileResolution('./platform/config.js', new URL('dist/server.js', root).href),
    ).toBeUndefined();
    expect(drizzleFileResolution('./table.js', undefined)).toBeUndefined();
  });

  it('when drizzle-orm is installed, then its package says its .js files are ES modules, as the resolution assumes', () => {
    const manifest = JSON.parse(readFileSync(new URL('node_modules/drizzle-orm/package.json', root), 'utf8'));
    expect(manifest.type).toBe('module');
  });

  it('when a process installs the resolution and imports drizzle-orm as the app does, then its files load through it', async () => {
    const script = `
      const { registerPackageResolution, resolvedHere } = await import(${JSON.stringify(new URL('src/platform/package-resolution.ts', root).href)});
      registerPackageResolution();
      const orm = await import('drizzle-orm');
      const core = await import('drizzle-orm/pg-core');
      const driver = await import('drizzle-orm/postgres-js');
      const table = core.pgTable('probe', { id: core.integer('id').primaryKey() });
      const query = new core.QueryBuilder().select().from(table).where(orm.eq(table.id, 1)).toSQL();
      console.log(JSON.stringify({ resolved: resolvedHere.count, sql: query.sql, driver: typeof driver.drizzle }));
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      timeout: 60_000,
    });
    const outcome = JSON.parse(stdout.trim()) as { resolved: number; sql: string; driver: string };
    expect(outcome.resolved).toBeGreaterThan(100);
    expect(outcome.sql).toBe('select "id" from "probe" where "probe"."id" = $1');
    expect(outcome.driver).toBe('function');
  });
});
