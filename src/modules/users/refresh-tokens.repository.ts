import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { refreshTokens } from './users.tables.js';

export interface RefreshTokenRecord {
  id: number;
  userId: number;
  familyId: string;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewRefreshToken {
  tokenHash: string;
  userId: number;
  familyId: string;
  expiresAt: Date;
}

const columns = {
  id: refreshTokens.id,
  userId: refreshTokens.userId,
  familyId: refreshTokens.familyId,
  expiresAt: refreshTokens.expiresAt,
  usedAt: refreshTokens.usedAt,
  revokedAt: refreshTokens.revokedAt,
};

export async function insertRefreshToken(tx: Executor, token: NewRefreshToken): Promise<void> {
  await tx.insert(refreshTokens).values(token);
}

/**
 * Locks every token of a family, in id order, until the transaction ends: rotations, reuse
 * revocations and logouts of one session take turns, and a revocation that follows in a later
 * statement also sees a successor another transaction committed meanwhile.
 */
export async function lockRefreshFamily(tx: Executor, familyId: string): Promise<RefreshTokenRecord[]> {
  return tx
    .select(columns)
    .from(refreshTokens)
    .where(eq(refreshTokens.familyId, familyId))
    .orderBy(refreshTokens.id)
    .for('update');
}

export async function findRefreshToken(
  executor: Executor,
  tokenHash: string,
): Promise<RefreshTokenRecord | undefined> {
  const [row] = await executor
    .select(columns)
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return row;
}

export async function markRefreshTokenUsed(tx: Executor, id: number): Promise<void> {
  await tx.update(refreshTokens).set({ usedAt: new Date() }).where(eq(refreshTokens.id, id));
}

export async function revokeRefreshFamily(tx: Executor, familyId: string): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)));
}

export async function revokeRefreshTokensOfUser(tx: Executor, userId: number): Promise<void> {
  await tx
    .update(refreshTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)));
}

/** Expired tokens answer 401 whether kept or not; dropping them keeps the table small. */
export async function deleteExpiredRefreshTokens(executor: Executor, userId: number): Promise<void> {
  await executor
    .delete(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), lt(refreshTokens.expiresAt, new Date())));
}
