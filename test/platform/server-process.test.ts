import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process.js';

describe('the server process with no configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-dev-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when started twice on the same data folder, then it is ready within seconds, serves /docs and keeps its data', async () => {
    const started = Date.now();
    const first = await startServer({ DATA_DIR: dataDir });
    const ready = await fetch(`${first.base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await fetch(`${first.base}/docs`)).status).toBe(200);
    const openapi = (await (await fetch(`${first.base}/docs/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(openapi.paths).length).toBeGreaterThan(2);
    expect(await first.stop()).toBe(0);
    expect(first.output()).toContain('shutting down');

    const secret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const second = await startServer({ DATA_DIR: dataDir });
    expect((await fetch(`${second.base}/health/ready`)).status).toBe(200);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secret);
    expect(await second.stop()).toBe(0);
  }, 90_000);
});
