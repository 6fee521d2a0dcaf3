import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { ALL_MODULES } from '../../src/app.js';
import { runEventsCli } from '../../src/platform/operations/events.cli.js';
import { TEST_JWT_SECRET, testConfig } from '../helpers/test-config.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const root = new URL('../../', import.meta.url);

/** `npm run events -- …` as an operator runs it: its own process, stdin not a terminal. */
export function runEventsScript(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/events.ts', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A stream that says it is (or is not) a terminal. */
function stream(isTTY: boolean): PassThrough & { isTTY: boolean; text(): string } {
  const passThrough = new PassThrough() as PassThrough & { isTTY: boolean; text(): string };
  let written = '';
  passThrough.on('data', (chunk) => {
    written += chunk;
  });
  passThrough.isTTY = isTTY;
  passThrough.text = () => written;
  return passThrough;
}

/** The same command in this process, with terminals faked and `answer` typed at a prompt. */
export async function runEventsInProcess(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; tty?: boolean; answer?: string } = {},
): Promise<CliRun> {
  // No reader on stdin but the prompt: what is typed waits for it.
  const stdin = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stdout = stream(options.tty ?? false);
  const stderr = stream(options.tty ?? false);
  if (options.answer !== undefined) stdin.write(`${options.answer}\n`);
  const code = await runEventsCli(args, {
    config: testConfig(options.env ?? {}),
    modules: ALL_MODULES,
    io: { stdin, stdout, stderr },
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
