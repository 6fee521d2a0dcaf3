import { type MessagePort, parentPort } from 'node:worker_threads';
import { ZxcvbnFactory, type ZxcvbnResult } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

// The password estimator's own thread: zxcvbn and its word lists (~40 MB of heap with the ranked
// dictionaries) live and die with this worker, never in the server's heap. It imports nothing of
// the project's, so that Node runs it as it is from `src/` (type stripping) and from `dist/`.
// The contract with `password-strength.ts`: a `JudgeRequest` in, a `JudgeAnswer` out.

/** Only the first 64 characters are estimated: longer is strong enough, and the estimate's time grows with length. */
const ESTIMATED_LENGTH = 64;

interface JudgeRequest {
  id: number;
  password: string;
  userInputs: string[];
  /** Set for a synchronous caller: the answer goes to `reply`, then `done[0]` becomes 1. */
  reply?: MessagePort;
  done?: Int32Array;
}

const factory = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
  maxLength: ESTIMATED_LENGTH,
  // The default (100) costs up to 175 ms on a 64-character l33t pattern; 10 costs under 30 ms and
  // rates the same passwords the same.
  l33tMaxSubstitutions: 10,
});

function feedbackOf(result: ZxcvbnResult): { warning: string | null; suggestions: string[] } {
  return { warning: result.feedback.warning, suggestions: [...result.feedback.suggestions] };
}

parentPort?.on('message', (request: JudgeRequest) => {
  let answer: object;
  try {
    const result = factory.check(request.password, request.userInputs);
    answer = {
      id: request.id,
      score: result.score,
      guessesLog10: result.guessesLog10,
      feedback: feedbackOf(result),
    };
  } catch (error) {
    answer = { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
  if (request.reply && request.done) {
    request.reply.postMessage(answer);
    request.reply.close();
    Atomics.store(request.done, 0, 1);
    Atomics.notify(request.done, 0);
  } else {
    parentPort?.postMessage(answer);
  }
});
