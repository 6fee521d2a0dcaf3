import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { usersModule } from '../../src/modules/users/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

interface Exchange {
  /** Everything the server sent before it closed the connection. */
  answer: string;
  /** Milliseconds from the first byte sent until the server closed. */
  closedAfter: number;
}

/**
 * Opens a raw connection, sends `text` and keeps quiet, as a slow or broken client does; resolves
 * when the server closes the connection, or after `giveUpMs` (then `closedAfter` is Infinity).
 */
function rawExchange(port: number, text: string, giveUpMs = 6000): Promise<Exchange> {
  return new Promise((resolve) => {
    let answer = '';
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, closedAfter: Number.POSITIVE_INFINITY });
    }, giveUpMs);
    socket.on('data', (chunk) => {
      answer += chunk;
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ answer, closedAfter: Date.now() - started });
    });
  });
}

/** Sends `text`, then drops the connection after `afterMs` (reset: a client that crashed). */
function abandon(port: number, text: string, afterMs: number, reset: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      setTimeout(() => {
        if (reset) socket.resetAndDestroy();
        else socket.destroy();
        resolve();
      }, afterMs);
    });
    socket.on('error', () => {});
  });
}

function parse(answer: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : undefined };
}

const TIMEOUT_MS = 1000;

describe('what Node answers before Fastify sees a request (a real server, REQUEST_TIMEOUT_MS=1000)', () => {
  let t: TestApp;
  let port: number;
  const lines: string[] = [];
  const write = process.stdout.write;

  beforeAll(async () => {
    process.stdout.write = ((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    t = await buildTestApp({
      modules: [usersModule, categoriesModule],
      config: { REQUEST_TIMEOUT_MS: TIMEOUT_MS, LOG_LEVEL: 'info' },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await t?.close();
    process.stdout.write = write;
  });

  const expectProblem = (exchange: Exchange, status: number, code: string) => {
    const answer = parse(exchange.answer);
    expect(answer.status, exchange.answer.slice(0, 300)).toBe(status);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status, code, request_id: expect.any(String) });
    expect(answer.headers['x-request-id']).toBe((answer.body as { request_id: string }).request_id);
  };

  it('when the server listens, then its header and request timeouts are REQUEST_TIMEOUT_MS', () => {
    expect(t.app.server.requestTimeout).toBe(TIMEOUT_MS);
    expect(t.app.server.headersTimeout).toBe(TIMEOUT_MS);
  });

  it('when a client sends its headers slowly and stops (slowloris), then it gets a 408 problem and is cut off in time', async () => {
    const exchange = await rawExchange(port, 'GET /api/categories HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1');
    expect(exchange.closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(exchange.closedAfter).toBeLessThan(TIMEOUT_MS + 1500);
    expectProblem(exchange, 408, 'HTTP.REQUEST_TIMEOUT');
  });

  it('when a client sends half of its body and stops, then it gets a 408 problem and is cut off in time', async () => {
    const exchange = await rawExchange(
      port,
      'POST /api/users/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":',
    );
    expect(exchange.closedAfter).toBeLessThan(TIMEOUT_MS + 1500);
    expectProblem(exchange, 408, 'HTTP.REQUEST_TIMEOUT');
  });

  it('when a guard refuses before the body has arrived, then the answer closes the connection (no 408 follows)', async () => {
    const exchange = await rawExchange(
      port,
      'POST /api/categories HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":',
    );
    expect(exchange.closedAfter).toBeLessThan(TIMEOUT_MS / 2);
    const answer = parse(exchange.answer);
    expect(answer).toMatchObject({ status: 401, headers: { connection: 'close' } });
    expect(exchange.answer.match(/HTTP\/1\.1 /gu)).toHaveLength(1);
  });

  it('when a whole request arrives, then the answer keeps the connection open (only early answers close it)', async () => {
    const login = JSON.stringify({ username: 'nobody', password: 'not the password' });
    for (const text of [
      'GET /api/categories HTTP/1.1\r\nHost: localhost\r\n\r\n',
      `POST /api/users/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${login.length}\r\n\r\n${login}`,
    ]) {
      const exchange = await rawExchange(port, text, 1000);
      expect(exchange.closedAfter).toBe(Number.POSITIVE_INFINITY);
      expect(parse(exchange.answer).headers.connection).toBe('keep-alive');
    }
  });

  it('when the headers are larger than Node takes, then it is a 431 problem with a request id', async () => {
    const exchange = await rawExchange(
      port,
      `GET /api/categories HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expectProblem(exchange, 431, 'HTTP.HEADERS_TOO_LARGE');
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    ['a space in the method', 'G ET /api/categories HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a header without a colon', 'GET /api/categories HTTP/1.1\r\nHost: localhost\r\nBroken\r\n\r\n'],
    [
      'both Content-Length and chunked',
      'POST /api/categories HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('when the client sends %s, then it is a 400 problem with a request id', async (_case, text) => {
    expectProblem(await rawExchange(port, text), 400, 'HTTP.MALFORMED_REQUEST');
  });

  it('when clients abort their bodies or run out of time, then no line is logged at error level, and the server still answers', async () => {
    const head = (length: number) =>
      `POST /api/users/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const partial = `${head(100)}{"username":`;
    const login = JSON.stringify({ username: 'nobody', password: 'not the password' });
    const whole = `${head(login.length)}${login}`;
    const before = lines.length;
    await abandon(port, partial, 100, false);
    await abandon(port, partial, 100, true);
    await abandon(port, whole, 0, true);
    await rawExchange(port, partial);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logged = lines.slice(before).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
    expect(logged.some((line) => line.msg === 'incoming request')).toBe(true);
    const response = await fetch(`http://127.0.0.1:${port}/api/categories`);
    expect(response.status).toBe(200);
  });
});
