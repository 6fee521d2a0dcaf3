import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServer } from '../helpers/server-process.js';

describe('the server process with no configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-dev-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when started twice on the same data folder, then it becomes ready, serves /docs and keeps its data', async () => {
    const first = await startServer({ DATA_DIR: dataDir });
    const ready = await fetch(`${first.base}/health/ready`);
    expect(ready.status).toBe(200);
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

describe('the server log lines', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-logs-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Waits until the server has written `count` lines since `from` (logs go through a worker thread). */
  async function settled(server: ServerProcess, pattern: RegExp): Promise<string> {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !pattern.test(server.output())) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return server.output();
  }

  it('when started as `npm run dev` is, then its first lines name the API, docs and health URLs and the data folder, in readable lines without a line per health probe', async () => {
    const server = await startServer({ DATA_DIR: dataDir });
    await fetch(`${server.base}/health/ready`);
    await fetch(`${server.base}/health/live`);
    await fetch(`${server.base}/metrics`);
    await fetch(`${server.base}/api/products?limit=1`);
    const output = await settled(server, /GET \/api\/products\?limit=1 200/);
    expect(await server.stop()).toBe(0);

    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(lines[0]).toMatch(/INFO.*Mascotas is listening at http:\/\/127\.0\.0\.1:\d+$/);
    const banner = lines.slice(0, 6).join('\n');
    expect(banner).toContain(`${server.base}/api/`);
    expect(banner).toContain(`${server.base}/docs`);
    expect(banner).toContain(`${server.base}/health/ready`);
    expect(banner).toContain(join(dataDir, 'pglite'));
    expect(banner).toContain('in-memory bus');
    expect(output).toMatch(/INFO.*GET \/api\/products\?limit=1 200 [\d.]+ ms/);
    expect(output).not.toMatch(/\/health\/(ready|live) \d{3}|"url":"\/health|\/metrics \d{3}/);
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
  }, 60_000);

  it('when LOG_FORMAT=json, then every line is one JSON object, the first naming the URLs, and probes are still not logged at info', async () => {
    const server = await startServer({ DATA_DIR: dataDir, LOG_FORMAT: 'json' });
    await fetch(`${server.base}/health/ready`);
    await fetch(`${server.base}/api/products?limit=1`);
    const output = await settled(server, /"statusCode":200/);
    expect(await server.stop()).toBe(0);

    const lines = output.split('\n').filter((line) => line.trim() !== '');
    const records = lines.map((line) => JSON.parse(line) as { msg: string; req?: { url: string } });
    expect(records[0]?.msg).toMatch(
      /^Server listening at http:\/\/127\.0\.0\.1:\d+; api: .*; docs: .*\/docs; health: .*\/health\/ready; data: /,
    );
    expect(records.some((record) => record.req?.url === '/api/products?limit=1')).toBe(true);
    expect(records.some((record) => record.req?.url?.startsWith('/health/'))).toBe(false);
  }, 60_000);
});
