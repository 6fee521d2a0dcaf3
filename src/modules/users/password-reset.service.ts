import type { Database } from '../../platform/db/database.js';
import { isMailAddress, recordMail } from '../../platform/mail/mail-outbox.js';
import {
  consumeToken,
  findUsableToken,
  replaceAccountToken,
  voidTokensOfUser,
} from './account-tokens.repository.js';
import { revokeRefreshTokensOfUser } from './refresh-tokens.repository.js';
import { normalizeEmail } from './users.changes.js';
import { InvalidResetTokenError, TooManyAttemptsError } from './users.errors.js';
import type { AttemptLimiter } from './users.limiter.js';
import { accountLink, greetingName, type LinkBase } from './users.links.js';
import type { PasswordHasher } from './users.passwords.js';
import { findUserByEmail, findUserById, resetPasswordHash } from './users.repository.js';
import { refuseWeakPassword } from './users.service.js';
import { hashToken, newOpaqueToken } from './users.tokens.js';

export interface PasswordResetDeps {
  database: Database;
  hasher: PasswordHasher;
  /** Counts mail requests (its own window), not failures. */
  limiter: AttemptLimiter;
  limits: { perEmail: number; perAddress: number };
  ttlMinutes: number;
  linkBase: LinkBase;
}

/**
 * A forgotten password: a request mails a single-use link (only its hash is kept), and the link's
 * token sets a new password and ends every session. A request answers the same whether or not the
 * e-mail has an account, and it is throttled on the e-mail as typed, so neither tells.
 */
export class PasswordResetService {
  constructor(private readonly deps: PasswordResetDeps) {}

  async request(typedEmail: string, address: string): Promise<void> {
    const { database, limiter, limits, ttlMinutes } = this.deps;
    const email = normalizeEmail(typedEmail);
    const wait = await limiter.acquire([
      { key: `reset-email:${email}`, max: limits.perEmail },
      { key: `reset-address:${address}`, max: limits.perAddress },
    ]);
    if (wait > 0) throw new TooManyAttemptsError(wait, 'Too many reset requests; try again later');
    const user = await findUserByEmail(database.db, email);
    if (!user?.isActive || !isMailAddress(user.email)) return;
    const token = newOpaqueToken();
    await database.transaction(async (tx) => {
      await replaceAccountToken(tx, {
        purpose: 'password_reset',
        tokenHash: hashToken(token),
        userId: user.id,
        email: user.email,
        ttlMinutes,
      });
      await recordMail(tx, {
        to: user.email,
        template: 'password_reset',
        locale: user.locale,
        data: {
          name: greetingName(user),
          link: accountLink(this.deps.linkBase, 'reset-password', token),
          expires_in_minutes: ttlMinutes,
        },
      });
    });
  }

  /**
   * Checks the token and the new password's strength before hashing, then in one transaction uses
   * the token (of two racing uses one wins), sets the hash, voids the user's other reset links and
   * revokes every refresh-token family of the user.
   */
  async confirm(token: string, newPassword: string): Promise<void> {
    const { database, hasher } = this.deps;
    const tokenHash = hashToken(token);
    const found = await findUsableToken(database.db, 'password_reset', tokenHash);
    const user = found && (await findUserById(database.db, found.userId));
    if (!found || !user || user.email !== found.email) throw new InvalidResetTokenError();
    await refuseWeakPassword('new_password', newPassword, [
      user.username,
      user.email,
      user.firstName,
      user.lastName,
    ]);
    const passwordHash = await hasher.hash(newPassword);
    await database.transaction(async (tx) => {
      const used = await consumeToken(tx, 'password_reset', tokenHash);
      if (!used || !(await resetPasswordHash(tx, used.userId, used.email, passwordHash))) {
        throw new InvalidResetTokenError();
      }
      await voidTokensOfUser(tx, used.userId, 'password_reset');
      await revokeRefreshTokensOfUser(tx, used.userId);
    });
  }
}
