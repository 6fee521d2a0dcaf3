import type { Database, Executor } from '../../platform/db/database.js';
import { isMailAddress, recordMail } from '../../platform/mail/mail-outbox.js';
import { consumeToken, replaceAccountToken } from './account-tokens.repository.js';
import {
  EmailAlreadyVerifiedError,
  InvalidVerificationTokenError,
  TooManyAttemptsError,
  UserNotFoundError,
} from './users.errors.js';
import type { AttemptLimiter } from './users.limiter.js';
import { accountLink, greetingName, type LinkBase } from './users.links.js';
import { findUserById, markEmailVerified, type UserRecord } from './users.repository.js';
import { hashToken, newOpaqueToken } from './users.tokens.js';

export interface EmailVerificationDeps {
  database: Database;
  /** Counts mail requests (its own window), not failures. */
  limiter: AttemptLimiter;
  maxPerUser: number;
  ttlMinutes: number;
  linkBase: LinkBase;
}

/**
 * Proof that a user reads their e-mail: a single-use link (only its hash is kept) mailed at
 * registration and on request; opening it marks that address verified, unless it changed since.
 */
export class EmailVerificationService {
  constructor(private readonly deps: EmailVerificationDeps) {}

  /** Records the mail and its token in the caller's transaction (registration, a request). */
  async record(tx: Executor, user: UserRecord): Promise<void> {
    if (!isMailAddress(user.email)) return;
    const token = newOpaqueToken();
    await replaceAccountToken(tx, {
      purpose: 'email_verification',
      tokenHash: hashToken(token),
      userId: user.id,
      email: user.email,
      ttlMinutes: this.deps.ttlMinutes,
    });
    await recordMail(tx, {
      to: user.email,
      template: 'email_verification',
      locale: user.locale,
      data: { name: greetingName(user), link: accountLink(this.deps.linkBase, 'verify-email', token) },
    });
  }

  /** A new link for the signed-in user (the older ones stop working), limited per user. */
  async request(userId: number): Promise<void> {
    const { database, limiter, maxPerUser } = this.deps;
    const user = await findUserById(database.db, userId);
    if (!user) throw new UserNotFoundError();
    if (user.emailVerified) throw new EmailAlreadyVerifiedError();
    const wait = await limiter.acquire([{ key: `verification:${userId}`, max: maxPerUser }]);
    if (wait > 0) throw new TooManyAttemptsError(wait, 'Too many verification requests; try again later');
    await database.transaction((tx) => this.record(tx, user));
  }

  /** Uses the token (once, of two racing uses one wins) and marks the address it went to verified. */
  async verify(token: string): Promise<void> {
    await this.deps.database.transaction(async (tx) => {
      const used = await consumeToken(tx, 'email_verification', hashToken(token));
      if (!used || !(await markEmailVerified(tx, used.userId, used.email))) {
        throw new InvalidVerificationTokenError();
      }
    });
  }
}
