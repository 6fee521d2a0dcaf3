import { afterEach, describe, expect, it } from 'vitest';
import { echoesModule, notesModule, slowRequests } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

describe('MODULES picks what a process hosts', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('when only notes is hosted, then echoes has no routes and notes still publishes', async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule], config: { MODULES: 'notes' } });
    expect((await t.app.inject({ method: 'GET', url: '/api/echoes' })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/notes', payload: { text: 'alone' } })).statusCode,
    ).toBe(201);
    await t.settle();
    expect(t.app.platform.modules.map((module) => module.name)).toEqual(['notes']);
  });

  it('when MODULES names an unknown module, then the app refuses to start naming it', async () => {
    await expect(
      buildTestApp({ modules: [notesModule], config: { MODULES: 'notes,ghosts' } }),
    ).rejects.toThrow(/MODULES: unknown module ghosts/);
  });
});

describe('graceful shutdown', () => {
  it('when the app closes during a request, then the request finishes and its event is delivered before the end', async () => {
    const t = await buildTestApp({
      modules: [notesModule, echoesModule],
      config: { OUTBOX_POLL_MS: 60_000 },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const entered = new Promise<void>((resolve) => slowRequests.started.add(resolve));
    const inFlight = fetch(`http://127.0.0.1:${port}/api/notes/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'last words' }),
    });
    await entered;
    await t.app.close();
    expect((await inFlight).status).toBe(201);
    const { queryRows } = await import('../../src/platform/db/database.js');
    const { sql } = await import('drizzle-orm');
    const echoes = await queryRows<{ text: string }>(t.database.db, sql`select text from public.test_echoes`);
    expect(echoes.map((row) => row.text)).toContain('last words');
    await t.database.close();
    await t.testDatabase.drop();
  });
});

describe('a request during shutdown', () => {
  it('when a request arrives on a busy connection while the app closes, then it gets a 503 problem+json with its request id and Retry-After', async () => {
    const { connect } = await import('node:net');
    const t = await buildTestApp({ modules: [notesModule, echoesModule] });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as { port: number };
    const entered = new Promise<void>((resolve) => slowRequests.started.add(resolve));
    const inFlight = fetch(`http://127.0.0.1:${port}/api/notes/slow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'keeps the close open' }),
    });
    // A connection in the middle of its request headers is not idle: closing leaves it open.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET /api/echoes HTTP/1.1\r\nHost: 127.0.0.1\r\nx-request-id: late-1\r\n');
    await entered;
    const closed = t.app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('\r\n');
    await ended;
    expect((await inFlight).status).toBe(201);
    await closed;
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(head.toLowerCase()).toContain('x-request-id: late-1');
    expect(head.toLowerCase()).toContain('retry-after: 1');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(body)).toMatchObject({ status: 503, code: 'HTTP.SHUTTING_DOWN', request_id: 'late-1' });
    await t.database.close();
    await t.testDatabase.drop();
  });
});
