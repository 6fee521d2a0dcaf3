import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * At least 10^8 guesses by zxcvbn's estimate: its "safely unguessable" boundary (score 3) against a
 * throttled online attack and a slow hash. Every random 8-character password reaches it (zxcvbn's
 * brute-force estimate is 10^length), while common, breached-looking and patterned passwords of any
 * length fall below it.
 */
export const MIN_PASSWORD_GUESSES_LOG10 = 8;

/**
 * How long the estimator's process lives after its last use. zxcvbn's word lists and ranked
 * dictionaries are ~40 MB of heap; loaded in the server's own heap they stayed there (the packages
 * in require's cache), and on a worker thread the isolate's pages and malloc arena stayed in the
 * server's resident set after the thread ended: either way a server whose only check was
 * ADMIN_PASSWORD's at start-up carried ~25 MB more all its life. An ended process gives all of it
 * back. Starting it again costs ~0.7 s, paid by the first check after a quiet minute.
 */
const KEEP_LOADED_MS = 60_000;
/** A check takes under 30 ms once loaded; loading takes ~0.6 s (seconds on a loaded machine). */
const CHECK_TIMEOUT_MS = 30_000;

/**
 * The estimator could not answer this time (its process died, hung or was let go): no fault of the
 * password nor of the code, and the next check starts a fresh process. A request it fails is a
 * `503` with `Retry-After`, not a `500`.
 */
export class EstimatorUnavailableError extends Error {
  override readonly name = 'EstimatorUnavailableError';
}

interface JudgeAnswer {
  id: number;
  score: number;
  guessesLog10: number;
  feedback: { warning: string | null; suggestions: string[] };
  error?: string;
}

interface JudgeRequest {
  id: number;
  password: string;
  userInputs: string[];
}

interface Estimator {
  child: ChildProcess;
  /** Requests wait here until the process says it listens (a message before that would be lost). */
  waiting: JudgeRequest[] | undefined;
  pending: Map<number, { resolve(answer: JudgeAnswer): void; reject(error: Error): void }>;
}

let estimator: Estimator | undefined;
let unloadTimer: NodeJS.Timeout | undefined;
let nextId = 1;

/** The estimator's file: its TypeScript source beside this one in development and tests, the build's .js in production. */
function estimatorFile(): string {
  const own = fileURLToPath(import.meta.url);
  const extension = own.endsWith('.ts') ? 'ts' : 'js';
  const file = fileURLToPath(new URL(`./password-strength.process.${extension}`, import.meta.url));
  if (!existsSync(file)) throw new Error(`the password estimator is missing: ${file}`);
  return file;
}

/**
 * The estimator's process starts with none of the server's flags (a TypeScript loader, the
 * server's heap limits: it is plain JS or erasable TypeScript and sizes its own heap) and none of
 * its environment (the server's secrets have no business there).
 */
const ESTIMATOR_ENV = {};

/** The last words of the estimator's stderr, for the message when it stops unasked. */
const STDERR_KEPT = 2_000;

/** The estimator's process, started on use and ended once unused for `KEEP_LOADED_MS`. */
function loaded(): Estimator {
  if (!estimator) {
    const child = fork(estimatorFile(), [], {
      execArgv: [],
      env: ESTIMATOR_ENV,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const own: Estimator = { child, waiting: [], pending: new Map() };
    // Neither the process nor its channel keeps the server's event loop alive.
    child.unref();
    child.channel?.unref();
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_KEPT);
    });
    (child.stderr as Socket | null)?.unref();
    child.on('message', (message: JudgeAnswer | { ready: true }) => {
      if ('ready' in message) {
        const waiting = own.waiting ?? [];
        own.waiting = undefined;
        for (const request of waiting) child.send(request);
        return;
      }
      const caller = own.pending.get(message.id);
      own.pending.delete(message.id);
      caller?.resolve(message);
    });
    const fail = (error: Error) => {
      if (estimator === own) estimator = undefined;
      for (const caller of own.pending.values()) caller.reject(error);
      own.pending.clear();
    };
    // Its start failed or its channel closed under a message: the checks under way fail as for a
    // death (a 503 to the request), and the next check starts a fresh process.
    child.on('error', (error) => {
      fail(new EstimatorUnavailableError(`the password estimator failed: ${error.message}`));
      child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      const why = signal ? `signal ${signal}` : `exit code ${code}`;
      const said = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : '';
      fail(new EstimatorUnavailableError(`the password estimator stopped (${why})${said}`));
    });
    estimator = own;
  }
  unloadTimer ??= setTimeout(unloadEstimator, KEEP_LOADED_MS).unref();
  unloadTimer.refresh();
  return estimator;
}

/** Ends the estimator's process and so frees its dictionaries (the next check starts it again). */
export function unloadEstimator(): void {
  clearTimeout(unloadTimer);
  unloadTimer = undefined;
  const ending = estimator;
  estimator = undefined;
  if (ending) {
    for (const caller of ending.pending.values())
      caller.reject(new EstimatorUnavailableError('the password estimator was let go'));
    ending.pending.clear();
    // It holds nothing worth a graceful end, and a stopped or wedged process ignores a SIGTERM.
    ending.child.kill('SIGKILL');
  }
}

/** Whether the estimator's process is running now (for tests). */
export function estimatorLoaded(): boolean {
  return estimator !== undefined;
}

/** The estimator's process id while it runs (for tests). */
export function estimatorProcessId(): number | undefined {
  return estimator?.child.pid;
}

export interface PasswordVerdict {
  /** zxcvbn's score, 0 (a top password) to 4. */
  score: number;
  /** log10 of the guesses zxcvbn expects an attacker to need. */
  guessesLog10: number;
  /** Why it is weak and what would help, in plain words; undefined when it is strong enough. */
  advice: string | undefined;
}

function adviceOf(answer: JudgeAnswer): string {
  const warning = answer.feedback.warning?.replace(/\.?$/u, '.');
  const suggestions = answer.feedback.suggestions.join(' ');
  const fallback = 'Add another word or two; unusual words are best, and length beats symbols.';
  return `This password is too easy to guess. ${[warning, suggestions || fallback].filter(Boolean).join(' ')}`;
}

/** The words an attacker knows about this account (its username, email, names) and this shop. */
function userInputsOf(knownWords: readonly string[]): string[] {
  const words = knownWords.flatMap((word) => {
    const whole = word.trim().toLowerCase();
    return [whole, ...whole.split(/[@.\s_+-]+/u)];
  });
  return [...words.filter((word) => word.length >= 3), 'mascotas'];
}

function verdictOf(answer: JudgeAnswer): PasswordVerdict {
  if (answer.error !== undefined) throw new Error(`the password estimator failed: ${answer.error}`);
  const advice = answer.guessesLog10 < MIN_PASSWORD_GUESSES_LOG10 ? adviceOf(answer) : undefined;
  return { score: answer.score, guessesLog10: answer.guessesLog10, advice };
}

/**
 * How guessable a password is, counting words the attacker knows about this account (its
 * username, email, names) and this shop as cheap guesses. Estimated in the estimator's process: the
 * server goes on answering meanwhile.
 */
export function judgePassword(
  password: string,
  knownWords: readonly string[] = [],
): Promise<PasswordVerdict> {
  const own = loaded();
  const id = nextId++;
  return new Promise<JudgeAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      own.pending.delete(id);
      reject(new EstimatorUnavailableError('the password estimator did not answer in time'));
      // A process that answers nothing for this long is wedged: the next check starts a fresh one
      // instead of queueing behind it for as long as checks keep it loaded.
      if (estimator === own) unloadEstimator();
    }, CHECK_TIMEOUT_MS);
    own.pending.set(id, {
      resolve: (answer) => {
        clearTimeout(timer);
        resolve(answer);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    const request: JudgeRequest = { id, password, userInputs: userInputsOf(knownWords) };
    if (own.waiting) own.waiting.push(request);
    else own.child.send(request);
  }).then(verdictOf);
}

/**
 * `judgePassword` for a synchronous caller (the configuration's checks at start-up): the calling
 * thread waits while a one-off estimator process answers (~0.7 s with its loading).
 */
export function judgePasswordNow(password: string, knownWords: readonly string[] = []): PasswordVerdict {
  const request: JudgeRequest = { id: nextId++, password, userInputs: userInputsOf(knownWords) };
  const run = spawnSync(process.execPath, [estimatorFile(), '--once'], {
    env: ESTIMATOR_ENV,
    input: JSON.stringify(request),
    encoding: 'utf8',
    timeout: CHECK_TIMEOUT_MS,
    maxBuffer: 1024 * 1024,
  });
  if (run.error)
    throw new EstimatorUnavailableError(`the password estimator did not answer: ${run.error.message}`);
  if (run.status !== 0 || !run.stdout) {
    const why = run.signal ? `signal ${run.signal}` : `exit code ${run.status}`;
    throw new EstimatorUnavailableError(
      `the password estimator answered nothing (${why}): ${run.stderr.trim().slice(-STDERR_KEPT)}`,
    );
  }
  return verdictOf(JSON.parse(run.stdout) as JudgeAnswer);
}
