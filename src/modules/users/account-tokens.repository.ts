import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { accountTokens } from './users.tables.js';

export type TokenPurpose = 'password_reset' | 'email_verification';

export interface NewAccountToken {
  purpose: TokenPurpose;
  tokenHash: string;
  userId: number;
  email: string;
  ttlMinutes: number;
}

export interface ConsumedToken {
  userId: number;
  email: string;
}

/**
 * Stores a new token of the user and voids their older unused ones of the same purpose: only the
 * newest link works. Expired and used tokens of the user are dropped on the way.
 */
export async function replaceAccountToken(tx: Executor, token: NewAccountToken): Promise<void> {
  const mine = and(eq(accountTokens.userId, token.userId), eq(accountTokens.purpose, token.purpose));
  await tx
    .delete(accountTokens)
    .where(and(mine, or(lt(accountTokens.expiresAt, sql`now()`), sql`${accountTokens.usedAt} is not null`)));
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(and(mine, isNull(accountTokens.usedAt)));
  await tx.insert(accountTokens).values({
    purpose: token.purpose,
    tokenHash: token.tokenHash,
    userId: token.userId,
    email: token.email,
    expiresAt: sql`now() + make_interval(mins => ${token.ttlMinutes})`,
  });
}

const usable = (purpose: TokenPurpose, tokenHash: string) =>
  and(
    eq(accountTokens.tokenHash, tokenHash),
    eq(accountTokens.purpose, purpose),
    isNull(accountTokens.usedAt),
    gt(accountTokens.expiresAt, sql`now()`),
  );

/** The token if it is unused and unexpired, without using it. */
export async function findUsableToken(
  executor: Executor,
  purpose: TokenPurpose,
  tokenHash: string,
): Promise<ConsumedToken | undefined> {
  const [row] = await executor
    .select({ userId: accountTokens.userId, email: accountTokens.email })
    .from(accountTokens)
    .where(usable(purpose, tokenHash))
    .limit(1);
  return row;
}

/** Marks the token used if it still is usable; of two racing uses, only one gets the row. */
export async function consumeToken(
  tx: Executor,
  purpose: TokenPurpose,
  tokenHash: string,
): Promise<ConsumedToken | undefined> {
  const [row] = await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(usable(purpose, tokenHash))
    .returning({ userId: accountTokens.userId, email: accountTokens.email });
  return row;
}

/** Voids every unused token of the user for the purpose (after a reset, the other links die too). */
export async function voidTokensOfUser(tx: Executor, userId: number, purpose: TokenPurpose): Promise<void> {
  await tx
    .update(accountTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(eq(accountTokens.userId, userId), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt)),
    );
}
