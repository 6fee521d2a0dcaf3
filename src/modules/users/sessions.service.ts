import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Database, Executor } from '../../platform/db/database.js';
import type { Principal } from '../../platform/http/auth.js';
import {
  deleteExpiredRefreshTokens,
  findRefreshToken,
  insertRefreshToken,
  lockRefreshFamily,
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
  lockUserForSession,
  type UserCredentials,
  type UserRecord,
  upgradePasswordHash,
} from './users.repository.js';
import type { LoginBody } from './users.schemas.js';
import { hashRefreshToken, newRefreshToken } from './users.tokens.js';

/** Failed logins allowed in a window: per account and address pair, and per address across accounts. */
export interface LoginBudgets {
  perAccountAndAddress: number;
  perAddress: number;
}

export interface SessionsServiceDeps {
  database: Database;
  hasher: PasswordHasher;
  limiter: AttemptLimiter;
  budgets: LoginBudgets;
  logger: FastifyBaseLogger;
  refreshTtlSeconds: number;
  signAccessToken(principal: Principal): string;
}

export interface Tokens {
  access: string;
  refresh: string;
}

type RefreshOutcome = { user: UserRecord; refresh: string } | 'invalid' | 'reused';

/**
 * Login, refresh-token rotation with reuse detection, and logout. Each transaction that writes
 * tokens share-locks the user row first, then the token family (see `lockUserForSession`).
 */
export class SessionsService {
  constructor(private readonly deps: SessionsServiceDeps) {}

  /**
   * One answer for an unknown user, a wrong password and an inactive account, after the same
   * hashing work. Failures are counted on the account the name resolves to (whichever of its
   * names was typed) together with the caller's address, and on the address across accounts with
   * a far higher budget (credential stuffing); a login over either budget is refused before any
   * hashing. A name that resolves to nobody is counted the same way under the name typed, so the
   * throttle does not tell which accounts exist.
   */
  async login(body: LoginBody, ip: string): Promise<Tokens & { user: UserRecord }> {
    const { limiter, hasher, database, budgets } = this.deps;
    const name = body.email ?? body.username;
    if (name === undefined || (body.email !== undefined && body.username !== undefined)) {
      throw new LoginIdentifierError();
    }
    const lookup =
      body.email !== undefined ? { email: normalizeEmail(name) } : { usernameOrEmail: name.trim() };
    const user = await findCredentialsForLogin(database.db, lookup);
    const account = user ? `account:${user.id}` : `name:${name.trim().toLowerCase()}`;
    const pairKey = `login:${account}|${ip}`;
    const addressKey = `login-address:${ip}`;
    const wait = await limiter.acquire([
      { key: pairKey, max: budgets.perAccountAndAddress },
      { key: addressKey, max: budgets.perAddress },
    ]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    const valid = user
      ? await hasher.verify(user.passwordHash, body.password)
      : await hasher.verifyNothing(body.password);
    if (!user || !valid || !user.isActive) throw new InvalidCredentialsError();
    await limiter.reset(pairKey);
    await limiter.release(addressKey);
    const refresh = await database.transaction((tx) => this.startSession(tx, user));
    await this.tidy(user, body.password);
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
      const found = await findRefreshToken(tx, hashRefreshToken(token));
      if (found?.userId !== userId) return;
      await lockUserForSession(tx, userId);
      await lockRefreshFamily(tx, found.familyId);
      await revokeRefreshFamily(tx, found.familyId);
    });
  }

  /** The user checked outside may have changed password or been deactivated since: check again under the lock. */
  private async startSession(tx: Executor, checked: UserCredentials): Promise<string> {
    const user = await lockUserForSession(tx, checked.id);
    if (!user?.isActive || user.passwordHash !== checked.passwordHash) throw new InvalidCredentialsError();
    return this.issueRefreshToken(tx, user.id, randomUUID());
  }

  /** Housekeeping after a login, outside its transaction: nothing here may fail the login. */
  private async tidy(user: UserCredentials, password: string): Promise<void> {
    const { database, hasher, logger } = this.deps;
    try {
      await deleteExpiredRefreshTokens(database.db, user.id);
      if (hasher.isOutdated(user.passwordHash)) {
        await upgradePasswordHash(database.db, user.id, user.passwordHash, await hasher.hash(password));
      }
    } catch (error) {
      logger.warn({ err: error, userId: user.id }, 'login housekeeping failed');
    }
  }

  /** Runs in one transaction, so that a reuse's revocation commits although the caller gets a 401. */
  private async rotate(tx: Executor, token: string): Promise<RefreshOutcome> {
    const found = await findRefreshToken(tx, hashRefreshToken(token));
    if (!found) return 'invalid';
    const user = await lockUserForSession(tx, found.userId);
    const family = await lockRefreshFamily(tx, found.familyId);
    const row = family.find((member) => member.id === found.id);
    if (!row || row.revokedAt) return 'invalid';
    if (row.usedAt) {
      await revokeRefreshFamily(tx, row.familyId);
      this.deps.logger.warn(
        { userId: row.userId },
        'a rotated refresh token was presented again; session revoked',
      );
      return 'reused';
    }
    if (row.expiresAt.getTime() <= Date.now() || !user?.isActive) return 'invalid';
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
