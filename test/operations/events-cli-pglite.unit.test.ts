import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/database.js';
import { buildTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { queueStatus } from './admin-events-client.js';
import { catalog, createCategory, productsKnow, QUEUE } from './events-cli-catalog.js';
import { runEventsInProcess, runEventsScript } from './events-cli-run.js';

describe('npm run events on a PGlite data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-events-'));
  const testDatabase: TestDatabase = {
    url: '',
    config: { DATABASE_URL: '' },
    open: () => openDatabase({ dataDir, poolSize: 1 }),
    async drop() {},
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when the server is stopped, then the CLI queues a replay that the next server start delivers', async () => {
    const before = catalog();
    const first = await buildTestApp({
      modules: before.modules,
      testDatabase,
      config: { DATA_DIR: dataDir },
    });
    const category = await createCategory(first, 'Birds');
    await first.settle();
    await first.close();

    const env = { DATA_DIR: dataDir, PORT: '1' };
    const listed = await runEventsScript(['dlq', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    const { count, results } = JSON.parse(listed.stdout);
    expect(count).toBe(1);
    const replayed = await runEventsScript(['dlq', 'replay', results[0].id], env);
    expect(replayed).toMatchObject({ code: 0, stdout: 'replayed: 1\n' });
    expect(replayed.stderr).toContain('queued in the outbox');

    const after = catalog();
    after.flaky.control.failing = false;
    const second = await buildTestApp({
      modules: after.modules,
      testDatabase,
      config: { DATA_DIR: dataDir },
    });
    try {
      await second.settle();
      expect(after.flaky.control.applied.get(results[0].event_id)).toBe(1);
      expect(await productsKnow(second, category)).toBe(true);
    } finally {
      await second.close();
    }
    const status = await runEventsInProcess(['status', '--json'], {
      env: { DATA_DIR: dataDir, PORT: '1', DATABASE_URL: undefined },
    });
    expect(status.code).toBe(0);
    expect(queueStatus(JSON.parse(status.stdout), QUEUE)).toMatchObject({
      consumed: 1,
      dead_lettered: 0,
      replays_pending: 0,
    });
  }, 180_000);

  it('when a server answers on the configured port, then the CLI does not open the PGlite folder', async () => {
    const server = createServer((_request, response) => response.end('{"status":"ok"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((server.address() as AddressInfo).port);
      const run = await runEventsScript(['status'], { DATA_DIR: dataDir, PORT: port });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`a server answers on http://127.0.0.1:${port}`);
    } finally {
      server.close();
    }
  }, 60_000);
});
