import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';

const LOG_DIR = 'bench/.cache';
const running = new Set<ServerProcess>();

/** Every server the bench started dies with it, whatever way the bench ends. */
process.once('exit', () => {
  for (const server of running) server.kill();
});

function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export interface StartOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  readyPath: string;
  timeoutMs?: number;
}

/** A server in a child process: how long it took to answer ready, and how much memory it holds. */
export class ServerProcess {
  readonly baseUrl: string;
  readyMs = 0;
  private peakRss = 0;
  private sampler: NodeJS.Timeout | undefined;
  private exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    port: number,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: StartOptions): Promise<ServerProcess> {
    const taken = await fetch(`http://127.0.0.1:${options.port}/`).then(
      () => true,
      () => false,
    );
    if (taken) throw new Error(`port ${options.port} is taken by another process; stop it first`);
    mkdirSync(LOG_DIR, { recursive: true });
    const log = createWriteStream(`${LOG_DIR}/${options.name}.log`);
    const started = performance.now();
    const child = spawn(process.execPath, options.args, {
      env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const server = new ServerProcess(options.name, child, options.port);
    running.add(server);
    try {
      await server.waitReady(options.readyPath, options.timeoutMs ?? 30_000);
    } catch (error) {
      await server.stop();
      throw error;
    }
    server.readyMs = performance.now() - started;
    return server;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private async waitReady(path: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void this.exited.then((code) => {
      exitCode = code;
    });
    while (Date.now() < deadline) {
      if (exitCode !== undefined) {
        throw new Error(
          `${this.name} exited with ${exitCode} before it was ready (see ${LOG_DIR}/${this.name}.log)`,
        );
      }
      try {
        const response = await fetch(`${this.baseUrl}${path}`);
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms`);
  }

  /** Samples the resident set every 50 ms until `stopSampling`. */
  startSampling(): void {
    this.peakRss = statusField(this.pid, 'VmRSS');
    this.sampler = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, statusField(this.pid, 'VmRSS'));
    }, 50);
  }

  /** The highest resident set seen since `startSampling`, in MiB. */
  stopSampling(): number {
    clearInterval(this.sampler);
    this.peakRss = Math.max(this.peakRss, statusField(this.pid, 'VmRSS'));
    return this.peakRss;
  }

  /** The kernel's high-water mark of the resident set over the whole life of the process, in MiB. */
  highWaterMark(): number {
    return statusField(this.pid, 'VmHWM');
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  /** SIGTERM (graceful shutdown), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    clearInterval(this.sampler);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), 15_000);
      await this.exited;
      clearTimeout(timer);
    }
    running.delete(this);
  }
}
