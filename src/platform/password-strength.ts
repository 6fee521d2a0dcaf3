import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';

/**
 * At least 10^8 guesses by zxcvbn's estimate: its "safely unguessable" boundary (score 3) against a
 * throttled online attack and a slow hash. Every random 8-character password reaches it (zxcvbn's
 * brute-force estimate is 10^length), while common, breached-looking and patterned passwords of any
 * length fall below it.
 */
export const MIN_PASSWORD_GUESSES_LOG10 = 8;

/**
 * How long the estimator's thread lives after its last use. zxcvbn's word lists and ranked
 * dictionaries are ~40 MB of heap; loaded in the server's own heap they stayed there (the packages
 * in require's cache) and a server whose only check was ADMIN_PASSWORD's at start-up carried ~25 MB
 * more resident memory all its life. In a worker they go with the thread. Starting it again costs
 * ~0.6 s, paid by the first check after a quiet minute.
 */
const KEEP_LOADED_MS = 60_000;
/** A check takes under 30 ms once loaded; loading takes ~0.6 s (seconds on a loaded machine). */
const CHECK_TIMEOUT_MS = 30_000;

interface JudgeAnswer {
  id: number;
  score: number;
  guessesLog10: number;
  feedback: { warning: string | null; suggestions: string[] };
  error?: string;
}

interface Estimator {
  worker: Worker;
  pending: Map<number, { resolve(answer: JudgeAnswer): void; reject(error: Error): void }>;
}

let estimator: Estimator | undefined;
let unloadTimer: NodeJS.Timeout | undefined;
let nextId = 1;

/** The worker's file: its TypeScript source beside this one in development and tests, the build's .js in production. */
function workerFile(): URL {
  const own = fileURLToPath(import.meta.url);
  const extension = own.endsWith('.ts') ? 'ts' : 'js';
  const file = new URL(`./password-strength.worker.${extension}`, import.meta.url);
  if (!existsSync(file)) throw new Error(`the password estimator is missing: ${fileURLToPath(file)}`);
  return file;
}

/** The estimator's thread, started on use and ended once unused for `KEEP_LOADED_MS`. */
function loaded(): Estimator {
  if (!estimator) {
    // No inherited flags (a TypeScript loader, the server's heap limits): the worker is plain JS
    // or erasable TypeScript and sizes its own heap.
    const worker = new Worker(workerFile(), { execArgv: [], stdout: false, stderr: false });
    const own: Estimator = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (answer: JudgeAnswer) => {
      const waiting = own.pending.get(answer.id);
      own.pending.delete(answer.id);
      waiting?.resolve(answer);
    });
    const fail = (error: Error) => {
      if (estimator === own) estimator = undefined;
      for (const waiting of own.pending.values()) waiting.reject(error);
      own.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the password estimator stopped (exit code ${code})`)));
    estimator = own;
  }
  unloadTimer ??= setTimeout(unloadEstimator, KEEP_LOADED_MS).unref();
  unloadTimer.refresh();
  return estimator;
}

/** Ends the estimator's thread and frees its dictionaries (the next check starts it again). */
export function unloadEstimator(): void {
  clearTimeout(unloadTimer);
  unloadTimer = undefined;
  const ending = estimator;
  estimator = undefined;
  if (ending) {
    for (const waiting of ending.pending.values())
      waiting.reject(new Error('the password estimator was let go'));
    ending.pending.clear();
    void ending.worker.terminate();
  }
}

/** Whether the estimator's thread is running now (for tests). */
export function estimatorLoaded(): boolean {
  return estimator !== undefined;
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
 * username, email, names) and this shop as cheap guesses. Estimated on the estimator's thread: the
 * server goes on answering meanwhile.
 */
export function judgePassword(
  password: string,
  knownWords: readonly string[] = [],
): Promise<PasswordVerdict> {
  const { worker, pending } = loaded();
  const id = nextId++;
  return new Promise<JudgeAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the password estimator did not answer in time'));
    }, CHECK_TIMEOUT_MS);
    pending.set(id, {
      resolve: (answer) => {
        clearTimeout(timer);
        resolve(answer);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    worker.postMessage({ id, password, userInputs: userInputsOf(knownWords) });
  }).then(verdictOf);
}

/**
 * `judgePassword` for a synchronous caller (the configuration's checks at start-up): the calling
 * thread waits for the estimator's answer.
 */
export function judgePasswordNow(password: string, knownWords: readonly string[] = []): PasswordVerdict {
  const { worker } = loaded();
  const { port1, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const id = nextId++;
  try {
    worker.postMessage({ id, password, userInputs: userInputsOf(knownWords), reply: port2, done }, [port2]);
    if (Atomics.wait(done, 0, 0, CHECK_TIMEOUT_MS) === 'timed-out') {
      throw new Error('the password estimator did not answer in time');
    }
    const received = receiveMessageOnPort(port1);
    if (!received) throw new Error('the password estimator answered nothing');
    return verdictOf(received.message as JudgeAnswer);
  } finally {
    port1.close();
  }
}
