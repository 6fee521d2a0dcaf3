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

/** The token row, locked until the transaction ends so that two refreshes with it take turns. */
export async function lockRefreshToken(
  tx: Executor,
  tokenHash: string,
): Promise<RefreshTokenRecord | undefined> {
  const [row] = await tx
    .select(columns)
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1)
    .for('update');
  return row;
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
export async function deleteExpiredRefreshTokens(tx: Executor, userId: number): Promise<void> {
  await tx
    .delete(refreshTokens)
    .where(and(eq(refreshTokens.userId, userId), lt(refreshTokens.expiresAt, new Date())));
}
