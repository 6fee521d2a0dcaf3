import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Executor } from '../../platform/db/database.js';
import type { Principal } from '../../platform/http/auth.js';
import {
  deleteExpiredRefreshTokens,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenUsed,
  revokeRefreshFamily,
} from './refresh-tokens.repository.js';
import { normalizeEmail } from './users.changes.js';
import {
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  LoginIdentifierError,
  TooManyAttemptsError,
} from './users.errors.js';
import type { AttemptLimiter } from './users.limiter.js';
import type { PasswordHasher } from './users.passwords.js';
import {
  findCredentialsForLogin,
  findUserById,
  setPasswordHash,
  type UserRecord,
} from './users.repository.js';
import type { LoginBody } from './users.schemas.js';
import { hashRefreshToken, newRefreshToken } from './users.tokens.js';

export interface SessionsServiceDeps {
  database: Database;
  hasher: PasswordHasher;
  limiter: AttemptLimiter;
  logger: FastifyBaseLogger;
  refreshTtlSeconds: number;
  signAccessToken(principal: Principal): string;
}

export interface Tokens {
  access: string;
  refresh: string;
}

type RefreshOutcome = { user: UserRecord; refresh: string } | 'invalid' | 'reused';

/** Login, refresh-token rotation with reuse detection, and logout. */
export class SessionsService {
  constructor(private readonly deps: SessionsServiceDeps) {}

  /**
   * One answer for an unknown user, a wrong password and an inactive account, after the same
   * hashing work; a username or address that failed too often is refused before any of it.
   */
  async login(body: LoginBody, ip: string): Promise<Tokens & { user: UserRecord }> {
    const { limiter, hasher, database } = this.deps;
    const name = body.email ?? body.username;
    if (name === undefined || (body.email !== undefined && body.username !== undefined)) {
      throw new LoginIdentifierError();
    }
    const nameKey = `login:${name.trim().toLowerCase()}`;
    const ipKey = `ip:${ip}`;
    const wait = limiter.acquire([nameKey, ipKey]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const lookup =
      body.email !== undefined ? { email: normalizeEmail(name) } : { usernameOrEmail: name.trim() };
    const user = await findCredentialsForLogin(database.db, lookup);
    const valid = user
      ? await hasher.verify(user.passwordHash, body.password)
      : await hasher.verifyNothing(body.password);
    if (!user || !valid || !user.isActive) throw new InvalidCredentialsError();
    limiter.reset(nameKey);
    limiter.release(ipKey);
    const rehashed = hasher.isOutdated(user.passwordHash) ? await hasher.hash(body.password) : undefined;
    const refresh = await database.transaction(async (tx) => {
      if (rehashed) await setPasswordHash(tx, user.id, rehashed);
      await deleteExpiredRefreshTokens(tx, user.id);
      return this.issueRefreshToken(tx, user.id, randomUUID());
    });
    return { access: this.signAccess(user), refresh, user };
  }

  /** Rotates: the presented token is used up and its successor joins the same family. */
  async refresh(token: string): Promise<Tokens> {
    const outcome = await this.deps.database.transaction((tx) => this.rotate(tx, token));
    if (outcome === 'invalid' || outcome === 'reused') throw new InvalidRefreshTokenError();
    return { access: this.signAccess(outcome.user), refresh: outcome.refresh };
  }

  /** Ends the session (the token's family) when the token is the user's; answers the same either way. */
  async logout(userId: number, token: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const row = await lockRefreshToken(tx, hashRefreshToken(token));
      if (row?.userId === userId) await revokeRefreshFamily(tx, row.familyId);
    });
  }

  /** Runs in one transaction, so that a reuse's revocation commits although the caller gets a 401. */
  private async rotate(tx: Executor, token: string): Promise<RefreshOutcome> {
    const row = await lockRefreshToken(tx, hashRefreshToken(token));
    if (!row || row.revokedAt) return 'invalid';
    if (row.usedAt) {
      await revokeRefreshFamily(tx, row.familyId);
      this.deps.logger.warn(
        { userId: row.userId },
        'a rotated refresh token was presented again; session revoked',
      );
      return 'reused';
    }
    if (row.expiresAt.getTime() <= Date.now()) return 'invalid';
    const user = await findUserById(tx, row.userId);
    if (!user?.isActive) return 'invalid';
    await markRefreshTokenUsed(tx, row.id);
    return { user, refresh: await this.issueRefreshToken(tx, user.id, row.familyId) };
  }

  private async issueRefreshToken(tx: Executor, userId: number, familyId: string): Promise<string> {
    const token = newRefreshToken();
    const expiresAt = new Date(Date.now() + this.deps.refreshTtlSeconds * 1000);
    await insertRefreshToken(tx, { tokenHash: hashRefreshToken(token), userId, familyId, expiresAt });
    return token;
  }

  private signAccess(user: UserRecord): string {
    return this.deps.signAccessToken({ id: user.id, isStaff: user.isStaff });
  }
}
