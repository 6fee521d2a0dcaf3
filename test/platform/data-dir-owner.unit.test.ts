import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runScript, type ServerProcess, startServer } from '../helpers/server-process.js';

/**
 * One process at a time owns an embedded (PGlite) data folder: `npm run seed` or the operator
 * tool started while `npm run dev` runs refuse at once and say who holds it, instead of opening
 * the folder a second time (which corrupted it); a lock left by a killed process is taken over.
 */
describe('the embedded database folder when several processes want it', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-owner-'));
  const lockFile = join(dataDir, 'pglite.lock');
  const env = { DATA_DIR: dataDir };
  const running: ServerProcess[] = [];
  const start = async () => {
    const server = await startServer(env);
    running.push(server);
    return server;
  };
  const products = async (server: ServerProcess) =>
    ((await (await fetch(`${server.base}/api/products?limit=1`)).json()) as { count: number }).count;
  afterEach(async () => {
    for (const server of running.splice(0)) await server.kill();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when the seed and the operator tool run while the server runs, then they refuse at once naming it, and the server goes on unharmed', async () => {
    const server = await start();
    const owner = JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number; command: string };
    expect(owner.pid).toBe(server.pid);
    expect(owner.command).toContain('src/server.ts');

    const startedAt = Date.now();
    const seed = await runScript('seed', [], { ...env, PORT: '1' });
    expect(seed.code).toBe(1);
    expect(seed.output).toContain(`in use by another process (pid ${server.pid}`);
    expect(seed.output).toContain('stop that process first');
    expect(Date.now() - startedAt).toBeLessThan(30_000);

    const events = await runScript('events', ['status'], { ...env, PORT: '1' });
    expect(events.code).toBe(1);
    expect(events.output).toContain(`in use by another process (pid ${server.pid}`);

    const second = await startServer(env).catch((error: Error) => error);
    expect(second).toBeInstanceOf(Error);
    expect(String(second)).toContain(`in use by another process (pid ${server.pid}`);

    expect((await fetch(`${server.base}/health/ready`)).status).toBe(200);
    expect(await products(server)).toBe(0);
    expect(await server.stop()).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 180_000);

  it('when the server was killed with SIGKILL, then the next start takes the folder over and keeps its data', async () => {
    const first = await start();
    const admin = await fetch(`${first.base}/health/ready`);
    expect(admin.status).toBe(200);
    await first.kill();
    expect(existsSync(lockFile)).toBe(true);

    const second = await start();
    expect((await fetch(`${second.base}/health/ready`)).status).toBe(200);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(second.pid);
    expect(await second.stop()).toBe(0);
  }, 120_000);

  it('when the seed runs with the server stopped, then it succeeds and the next server start sees the catalog', async () => {
    const seed = await runScript('seed', [], { ...env, PORT: '1' }, 170_000);
    expect(seed.code, seed.output).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    const server = await start();
    expect(await products(server)).toBeGreaterThan(20);
    expect(await server.stop()).toBe(0);
  }, 240_000);
});
