import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

interface Server {
  child: ChildProcess;
  base: string;
  output: () => string;
}

/** Starts `src/server.ts` as `npm run dev` does, with no environment but a data folder and a port. */
async function startServer(dataDir: string): Promise<Server> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env,
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (match) return { child, base: match[1]!, output: () => output };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

async function stop(server: Server): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
  server.child.kill('SIGTERM');
  return exited;
}

describe('the server process with no configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-dev-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when started twice on the same data folder, then it is ready within seconds, serves /docs and keeps its data', async () => {
    const started = Date.now();
    const first = await startServer(dataDir);
    const ready = await fetch(`${first.base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect((await fetch(`${first.base}/docs`)).status).toBe(200);
    const openapi = (await (await fetch(`${first.base}/docs/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(openapi.paths).length).toBeGreaterThan(2);
    expect(await stop(first)).toBe(0);
    expect(first.output()).toContain('shutting down');

    const secret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');
    expect(existsSync(join(dataDir, 'pglite'))).toBe(true);

    const second = await startServer(dataDir);
    expect((await fetch(`${second.base}/health/ready`)).status).toBe(200);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8')).toBe(secret);
    expect(await stop(second)).toBe(0);
  }, 90_000);
});
