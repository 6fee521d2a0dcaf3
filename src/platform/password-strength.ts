import { createRequire } from 'node:module';
import type { ZxcvbnFactory as Factory, ZxcvbnResult } from '@zxcvbn-ts/core';

/**
 * At least 10^8 guesses by zxcvbn's estimate: its "safely unguessable" boundary (score 3) against a
 * throttled online attack and a slow hash. Every random 8-character password reaches it (zxcvbn's
 * brute-force estimate is 10^length), while common, breached-looking and patterned passwords of any
 * length fall below it.
 */
export const MIN_PASSWORD_GUESSES_LOG10 = 8;
/** Only the first 64 characters are estimated: longer is strong enough, and the estimate's time grows with length. */
const ESTIMATED_LENGTH = 64;

/**
 * How long the estimator stays loaded after its last use. Its ranked dictionaries are ~25 MB of
 * heap (measured: 46 MB in use with it, 20 MB once it was let go and collected); kept for good, a
 * server whose only check was ADMIN_PASSWORD's at start-up carried them all its life (its resident
 * set at rest: 156 MB with them, 133–136 MB without). The packages' word lists (~13 MB) stay in
 * require's cache: evicting them too leaked compiled scripts on every reload. Building it again
 * takes ~150 ms (570 ms for the first load), paid by the first check after a quiet minute.
 */
const KEEP_LOADED_MS = 60_000;

let estimator: Factory | undefined;
let unloadTimer: NodeJS.Timeout | undefined;

/**
 * zxcvbn-ts with its common and English dictionaries (passwords lists, names, words, keyboard
 * patterns), loaded on use and let go once unused for `KEEP_LOADED_MS`. Loaded synchronously so
 * that configuration checks can use it.
 */
function zxcvbn(): Factory {
  estimator ??= loadEstimator();
  unloadTimer ??= setTimeout(unloadEstimator, KEEP_LOADED_MS).unref();
  unloadTimer.refresh();
  return estimator;
}

function loadEstimator(): Factory {
  const require = createRequire(import.meta.url);
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const english = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  return new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    maxLength: ESTIMATED_LENGTH,
    // The default (100) costs up to 175 ms of blocked event loop on a 64-character l33t pattern;
    // 10 costs under 30 ms and rates the same passwords the same.
    l33tMaxSubstitutions: 10,
  });
}

/** Lets the estimator and its dictionaries go (the next check loads them again). */
export function unloadEstimator(): void {
  clearTimeout(unloadTimer);
  unloadTimer = undefined;
  estimator = undefined;
}

/** Whether the estimator is loaded now (for tests). */
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

function adviceOf(result: ZxcvbnResult): string {
  const warning = result.feedback.warning?.replace(/\.?$/u, '.');
  const suggestions = result.feedback.suggestions.join(' ');
  const fallback = 'Add another word or two; unusual words are best, and length beats symbols.';
  return `This password is too easy to guess. ${[warning, suggestions || fallback].filter(Boolean).join(' ')}`;
}

/**
 * How guessable a password is, counting words the attacker knows about this account (its
 * username, email, names) and this shop as cheap guesses.
 */
export function judgePassword(password: string, knownWords: readonly string[] = []): PasswordVerdict {
  const words = knownWords.flatMap((word) => {
    const whole = word.trim().toLowerCase();
    return [whole, ...whole.split(/[@.\s_+-]+/u)];
  });
  const userInputs = [...words.filter((word) => word.length >= 3), 'mascotas'];
  const result = zxcvbn().check(password, userInputs);
  const advice = result.guessesLog10 < MIN_PASSWORD_GUESSES_LOG10 ? adviceOf(result) : undefined;
  return { score: result.score, guessesLog10: result.guessesLog10, advice };
}
