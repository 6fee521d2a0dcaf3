import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export interface FaultProcess {
  /** Resolves with the first line (from now or already seen) that matches, or fails after `timeoutMs`. */
  line(match: RegExp, timeoutMs?: number): Promise<string>;
  kill(): Promise<void>;
}

/** Runs `test/rabbitmq/fault-process.ts <mode>` in its own Node process. */
export function spawnFaultProcess(mode: string, env: Record<string, string>): FaultProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/rabbitmq/fault-process.ts', mode],
    {
      cwd: process.cwd(),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = once(child, 'exit');
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout! }).on('line', (text) => {
    lines.push(text);
    for (const wake of waiters) wake();
  });
  return {
    async line(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((text) => match.test(text));
        if (found !== undefined) return found;
        if (child.exitCode !== null)
          throw new Error(`${mode} process exited (${child.exitCode}) before ${match}`);
        if (Date.now() > deadline) throw new Error(`${mode} process did not say ${match} in time`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
          setTimeout(wake, 100);
        });
      }
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
