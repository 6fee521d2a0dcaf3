import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLoggerFactory } from '../../src/platform/http/logging.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * Each request's logger is made only when the request writes a line (see `requestLoggerFactory`):
 * the lines it writes must still carry the request id, and nothing else may change. Pino writes
 * through `process.stdout.write` when that has been replaced, so the lines are captured there.
 */
describe('request logs', () => {
  const lines: string[] = [];
  const write = process.stdout.write;
  let apps: TestApp[] = [];

  beforeAll(() => {
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    process.stdout.write = write;
  });

  async function appAt(level: string): Promise<TestApp> {
    const t = await buildTestApp({ modules: [], config: { LOG_LEVEL: level } });
    apps = [...apps, t];
    return t;
  }

  const linesOf = (id: string) =>
    lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes(id))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('when a request is logged at info, then each of its lines carries its request id', async () => {
    const t = await appAt('info');
    const response = await t.app.inject({ url: '/api/nowhere', headers: { 'x-request-id': 'trace-me-42' } });
    expect(response.headers['x-request-id']).toBe('trace-me-42');
    const logged = linesOf('trace-me-42');
    expect(logged.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    for (const line of logged) expect(line.reqId).toBe('trace-me-42');
  });

  it('when the level is warn, then an ordinary request writes no line', async () => {
    const t = await appAt('warn');
    await t.app.inject({ url: '/api/nowhere', headers: { 'x-request-id': 'quiet-request-7' } });
    expect(linesOf('quiet-request-7')).toEqual([]);
  });

  it('when a request logs a warning itself, then the line carries its request id, and its children too', async () => {
    const written: string[] = [];
    const app = pino({ level: 'warn' }, { write: (line: string) => written.push(line) });
    const log = requestLoggerFactory(app, { reqId: 'handler-line-9' }, {});
    log.info('below the level');
    log.warn({ order: 7 }, 'from a handler');
    log.child({ step: 'payment' }).error('from a child');
    expect(log.level).toBe('warn');
    expect(written.map((line) => JSON.parse(line))).toMatchObject([
      { reqId: 'handler-line-9', order: 7, msg: 'from a handler', level: 40 },
      { reqId: 'handler-line-9', step: 'payment', msg: 'from a child', level: 50 },
    ]);
  });
});
