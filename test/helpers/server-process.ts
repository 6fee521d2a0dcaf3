import { type ChildProcess, spawn } from 'node:child_process';

const root = new URL('../../', import.meta.url);

export interface ServerProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  pid: number;
  output(): string;
  /** Null while running; the exit code (or signal name) once it ended. */
  exited(): number | string | null;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash or an OOM killer would. */
  kill(): Promise<void>;
}

/**
 * Starts `src/server.ts` in its own Node process, as `npm run dev` does, with no environment but
 * PATH, a random port (unless `env.PORT`) and `env`; resolves once it listens.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: 'pipe',
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exitedWith = () => child.exitCode ?? child.signalCode ?? null;
  const ended = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  // With a port of its own the server may log nothing: it is up once it answers.
  const fixed = env.PORT && env.PORT !== '0' ? `http://127.0.0.1:${env.PORT}` : undefined;
  const listening = async () => {
    if (!fixed) return /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const live = await fetch(`${fixed}/health/live`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    return live?.ok ? fixed : undefined;
  };
  while (Date.now() < deadline) {
    const base = await listening();
    if (base) {
      return {
        child,
        base,
        pid: child.pid!,
        output: () => output,
        exited: exitedWith,
        async stop() {
          if (exitedWith() === null) child.kill('SIGTERM');
          await ended;
          return child.exitCode;
        },
        async kill() {
          if (exitedWith() === null) child.kill('SIGKILL');
          await ended;
        },
      };
    }
    if (exitedWith() !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start:\n${output}`);
}

/** A port nothing listens on now, for a server that must keep its port across restarts. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ScriptRun {
  code: number | null;
  output: string;
}

/** Runs `scripts/<name>.ts` (as `npm run <name>` does) to its end. */
export function runScript(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
