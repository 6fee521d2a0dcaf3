import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);

/**
 * The postgres.js patch (patches/postgres+<version>.patch, applied by `npm install`): the
 * connection-loss cases of test/platform/postgres-driver-faults.ts, in a child process because
 * without the patch the first of them kills the process that runs it.
 */
describe('the PostgreSQL driver when its connection is lost', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createPostgresDatabase();
  });
  afterAll(async () => database?.drop());

  it('when backends die or connections reset under transactions, then no process exits and every client answers again (ESM and CommonJS builds)', async () => {
    const child = await run(
      process.execPath,
      ['--import', 'tsx', 'test/platform/postgres-driver-faults.ts', database.url],
      { cwd: root, timeout: 120_000 },
    ).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    const output = `${child.stdout ?? ''}${child.stderr ?? ''}`;
    expect(output).not.toContain('TypeError');
    expect('code' in child ? child.code : 0, output).toBe(0);
    const passed = output.split('\n').filter((line) => line.startsWith('ok '));
    expect(passed.filter((line) => line.startsWith('ok esm '))).toHaveLength(7);
    expect(passed.filter((line) => line.startsWith('ok cjs '))).toHaveLength(7);
    expect(output.trim().endsWith('survived')).toBe(true);
  }, 150_000);

  it('when the patch is looked at, then postgres is pinned to exactly the version it was made for', () => {
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      dependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const patches = readdirSync(new URL('patches/', root)).filter((name) => name.startsWith('postgres+'));
    expect(patches).toEqual([`postgres+${manifest.dependencies.postgres}.patch`]);
    expect(manifest.scripts.postinstall).toMatch(/^patch-package\b/);
    const installed = JSON.parse(readFileSync(new URL('node_modules/postgres/package.json', root), 'utf8'));
    expect(installed.version).toBe(manifest.dependencies.postgres);
  });
});
