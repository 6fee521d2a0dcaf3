import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The compiled server (`npm run build`'s output, built here into a scratch folder inside the
 * project so that it resolves the project's dependencies, and outside node_modules, whose files'
 * source maps the server leaves unread) started as the image starts it: NODE_ENV=production,
 * `node dist/server.js` with `npm start`'s flags. Run once (`.unit`): it needs no database.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILD = `${ROOT}test-results/production-start/${process.pid}`;

interface Exit {
  code: number | null;
  output: string;
}

/** `npm start`'s flags, as the image runs them (a deployment test holds the Dockerfile's CMD equal). */
const START_FLAGS = (
  JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/u)
  .filter((word) => word.startsWith('--'));

function start(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [...START_FLAGS, `${BUILD}/dist/server.js`], {
    cwd: BUILD,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: 'memory://',
      PORT: '0',
      ...env,
    },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

/** Starts the server and waits for it to exit on its own (a refused configuration). */
function refusal(env: Record<string, string>): Promise<Exit> {
  const { child, output } = start(env);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output() });
    });
  });
}

const GOOD_SECRET = randomBytes(48).toString('base64');
const GOOD_ADMIN = { ADMIN_EMAIL: 'ops@shop.example', ADMIN_PASSWORD: 'kiwi marmalade tundra oboe quartz' };

describe('a production start of the built server', () => {
  beforeAll(() => {
    rmSync(BUILD, { recursive: true, force: true });
    mkdirSync(BUILD, { recursive: true });
    execFileSync(
      process.execPath,
      [
        `${ROOT}node_modules/typescript/bin/tsc`,
        '-p',
        `${ROOT}tsconfig.build.json`,
        '--outDir',
        `${BUILD}/dist`,
      ],
      { stdio: 'inherit' },
    );
    symlinkSync(`${ROOT}drizzle`, `${BUILD}/drizzle`);
  }, 180_000);
  afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

  it.each([
    [
      'the old .env.example value',
      'replace-me-with-at-least-32-random-characters-0123456789',
      'example value',
    ],
    ['one character repeated', 'z'.repeat(64), 'distinct characters'],
    ['32 random base64 characters (192 bits)', randomBytes(24).toString('base64'), 'bits'],
  ])(
    'when JWT_SECRET is %s, then it exits 1 naming JWT_SECRET and how to make one',
    async (_case, secret, why) => {
      const exit = await refusal({ JWT_SECRET: secret, ...GOOD_ADMIN });
      expect(exit.code).toBe(1);
      expect(exit.output).toContain('JWT_SECRET');
      expect(exit.output).toContain(why);
      expect(exit.output).toContain('openssl rand -base64 48');
      expect(exit.output).not.toContain('Server listening');
    },
  );

  it('when JWT_SECRET is missing, then it exits 1 saying how to make one', async () => {
    const exit = await refusal(GOOD_ADMIN);
    expect(exit.code).toBe(1);
    expect(exit.output).toMatch(
      /JWT_SECRET is required when NODE_ENV=production: make one with `openssl rand/u,
    );
  });

  it.each([
    ['the old .env.example value', 'replace-me-too'],
    ['a common password', 'password123'],
    ['the admin name and a year', 'ops2024!'],
  ])(
    'when ADMIN_PASSWORD is %s, then it exits 1 naming ADMIN_PASSWORD and what to use, never printing it',
    async (_case, password) => {
      const exit = await refusal({ JWT_SECRET: GOOD_SECRET, ...GOOD_ADMIN, ADMIN_PASSWORD: password });
      expect(exit.code).toBe(1);
      expect(exit.output).toContain('ADMIN_PASSWORD');
      expect(exit.output).toContain('passphrase');
      expect(exit.output).not.toContain(password);
    },
  );

  it('when the start fails past the configuration, then its stack names the TypeScript source, not the build', async () => {
    // Nothing listens on port 1: the migration's connection is refused inside the app's own code.
    const exit = await refusal({
      JWT_SECRET: GOOD_SECRET,
      ...GOOD_ADMIN,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    expect(exit.code).toBe(1);
    expect(exit.output).toContain('failed to start: Error: connect ECONNREFUSED');
    expect(exit.output).toMatch(/src\/platform\/db\/database\.ts:\d+:\d+/u);
    expect(exit.output).not.toMatch(/dist\/platform\/db\/database\.js/u);
  });

  it('when the secret is random and the admin password strong, then it starts and answers', async () => {
    const { child, output } = start({ JWT_SECRET: GOOD_SECRET, ...GOOD_ADMIN, HOST: '127.0.0.1' });
    try {
      const deadline = Date.now() + 30_000;
      let base: string | undefined;
      while (!base && Date.now() < deadline && child.exitCode === null) {
        base = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/u.exec(output())?.[1];
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(base, output()).toBeDefined();
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
      const login = await fetch(`${base}/api/users/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: GOOD_ADMIN.ADMIN_EMAIL, password: GOOD_ADMIN.ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
