import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';

// The password estimator's own process: zxcvbn and its ranked word lists (~40 MB of heap) live and
// die with it, never in the server's memory. A worker thread was not enough: its isolate's pages
// and its malloc arena stayed in the server's resident set after the thread ended (~25 MB for the
// life of a server whose only check was ADMIN_PASSWORD's at start-up); an ended process gives all
// of it back. It imports nothing of the project's, so that Node runs it as it is from `src/` (type
// stripping) and from `dist/`. The contract with `password-strength.ts`: a `JudgeRequest` in, a
// `JudgeAnswer` out; over the IPC channel of `fork`, or, with `--once`, one request on stdin and
// its answer on stdout (a synchronous caller's `spawnSync`).

/** Only the first 64 characters are estimated: longer is strong enough, and the estimate's time grows with length. */
const ESTIMATED_LENGTH = 64;

interface JudgeRequest {
  id: number;
  password: string;
  userInputs: string[];
}

/** Loaded while the server hears that this process is ready and sends its first request. */
const factory: Promise<ZxcvbnFactory> = (async () => {
  const [{ ZxcvbnFactory }, common, english] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    maxLength: ESTIMATED_LENGTH,
    // The default (100) costs up to 175 ms on a 64-character l33t pattern; 10 costs under 30 ms and
    // rates the same passwords the same.
    l33tMaxSubstitutions: 10,
  });
})();

function feedbackOf(result: ZxcvbnResult): { warning: string | null; suggestions: string[] } {
  return { warning: result.feedback.warning, suggestions: [...result.feedback.suggestions] };
}

async function judge(request: JudgeRequest): Promise<object> {
  try {
    const result = (await factory).check(String(request.password), request.userInputs);
    return {
      id: request.id,
      score: result.score,
      guessesLog10: result.guessesLog10,
      feedback: feedbackOf(result),
    };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

if (process.argv.includes('--once')) {
  const chunks: Buffer[] = [];
  process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
  process.stdin.on('end', async () => {
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JudgeRequest;
    process.stdout.write(JSON.stringify(await judge(request)));
  });
} else {
  // One at a time and in order, as they came.
  let queue = Promise.resolve();
  process.on('message', (request: JudgeRequest) => {
    queue = queue.then(async () => {
      process.send?.(await judge(request));
    });
  });
  // The server ended, died or let the estimator go: nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  // A message sent before the listener above would be lost: the server waits for this one.
  process.send?.({ ready: true });
}
