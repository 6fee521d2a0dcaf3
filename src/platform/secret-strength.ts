import { judgePassword, judgePasswordNow, type PasswordVerdict } from './password-strength.js';

/**
 * Values this repository has shipped as examples or used in its tests and benchmarks: anyone who
 * read it knows them, so a production start refuses them even though they pass the other checks.
 */
const KNOWN_VALUES = new Set([
  'replace-me-with-at-least-32-random-characters-0123456789',
  'test-secret-that-is-long-enough-for-hs256-signing',
  'another-secret-that-is-long-enough-for-hs256',
  'another-secret-that-is-long-enough-too!!',
  'bench-secret-bench-secret-bench-secret-0123456789',
  'bench-seed-secret-bench-seed-secret-0123456789',
  'replace-me-too',
  'admin-password-1',
  'admin password 1',
  'first admin password',
  'second admin password',
  'bench-admin-password-1',
]);

/** Words of a value someone meant to replace. */
const PLACEHOLDER = /replace|change[-_ ]?me|example|placeholder|dummy|your[-_ ]?(jwt[-_ ]?)?secret|xxxx/iu;

const MIN_SECRET_BITS = 256;
const MIN_DISTINCT_CHARACTERS = 10;
const HEX = /^[0-9a-f]+$/iu;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/u;
const MAKE_SECRET = 'make one with `openssl rand -base64 48` (or `openssl rand -hex 32`)';
const MAKE_PASSWORD =
  'use a passphrase of five or more unrelated words, or `openssl rand -base64 18`, and keep it out of the repository';

/** The bits a secret carries at most, read as what it looks like: hex, base64, or plain text. */
function bitsOf(secret: string): number {
  if (HEX.test(secret)) return secret.length * 4;
  if (BASE64.test(secret)) return Math.floor((secret.replace(/=+$/u, '').length * 6) / 8) * 8;
  // Plain text: at most the ~6.5 bits of a printable ASCII character, less when it uses fewer kinds.
  return secret.length * Math.min(6.5, Math.log2(new Set(secret).size));
}

/**
 * Why `JWT_SECRET` must not sign production tokens, or undefined when it may: it is one of the
 * repository's values or a placeholder, has too few distinct characters, or carries under 256 bits
 * read as hex or base64 (a 32-character string is 192 bits of base64). Anyone who guesses it can
 * sign an admin's token.
 */
export function jwtSecretProblem(secret: string): string | undefined {
  const refuse = (why: string) =>
    `JWT_SECRET ${why}; anyone who knows or guesses it can forge an admin's token: ${MAKE_SECRET}`;
  if (KNOWN_VALUES.has(secret)) return refuse('is an example value published in this repository');
  if (PLACEHOLDER.test(secret)) return refuse('is a placeholder');
  if (new Set(secret).size < MIN_DISTINCT_CHARACTERS)
    return refuse(`has fewer than ${MIN_DISTINCT_CHARACTERS} distinct characters`);
  const bits = bitsOf(secret);
  if (bits < MIN_SECRET_BITS)
    return refuse(`carries about ${Math.floor(bits)} bits, fewer than ${MIN_SECRET_BITS}`);
  return undefined;
}

/**
 * At least 10^10 guesses by zxcvbn's estimate (its top score), counting the admin's email and
 * username as known words: the bootstrap admin is the most valuable account there is.
 */
const MIN_ADMIN_GUESSES_LOG10 = 10;

/** Why `ADMIN_PASSWORD` must not be the bootstrap admin's password in production, or undefined. */
export function adminPasswordProblem(password: string, knownWords: readonly string[]): string | undefined {
  return (
    adminPasswordPlainProblem(password) ??
    adminVerdictProblem(judgePasswordNow(password, [...knownWords, 'admin']))
  );
}

/**
 * `adminPasswordProblem` without blocking the calling thread: the estimator loads its
 * dictionaries in its own process (~0.5 s) while the caller goes on (the server's start-up imports).
 */
export async function adminPasswordProblemLater(
  password: string,
  knownWords: readonly string[],
): Promise<string | undefined> {
  return (
    adminPasswordPlainProblem(password) ??
    adminVerdictProblem(await judgePassword(password, [...knownWords, 'admin']))
  );
}

const refuseAdmin = (why: string) => `ADMIN_PASSWORD ${why}: ${MAKE_PASSWORD}`;

function adminPasswordPlainProblem(password: string): string | undefined {
  if (KNOWN_VALUES.has(password)) return refuseAdmin('is an example value published in this repository');
  if (PLACEHOLDER.test(password)) return refuseAdmin('is a placeholder');
  return undefined;
}

function adminVerdictProblem(verdict: PasswordVerdict): string | undefined {
  if (verdict.advice) {
    const why = verdict.advice.replace(/^This password is too easy to guess\. */u, '');
    return refuseAdmin(`is too easy to guess (${why.replace(/\.$/u, '')})`);
  }
  if (verdict.guessesLog10 < MIN_ADMIN_GUESSES_LOG10)
    return refuseAdmin('is not strong enough for the first admin (under 10^10 guesses)');
  return undefined;
}
