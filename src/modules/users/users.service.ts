import type { FastifyBaseLogger } from 'fastify';
import type { Database, Executor } from '../../platform/db/database.js';
import type { PageWindow } from '../../platform/http/paging.js';
import { judgePassword } from '../../platform/password-strength.js';
import { UserEvent } from './contract.js';
import type { EmailVerificationService } from './email-verification.service.js';
import { revokeRefreshTokensOfUser } from './refresh-tokens.repository.js';
import { normalizeEmail, recordUserChange } from './users.changes.js';
import {
  EmailTakenError,
  SelfLockoutError,
  TooManyAttemptsError,
  UserNotFoundError,
  UsernameTakenError,
  WeakPasswordError,
  WrongCurrentPasswordError,
} from './users.errors.js';
import type { AttemptLimiter } from './users.limiter.js';
import type { PasswordHasher } from './users.passwords.js';
import {
  type AccessChanges,
  duplicateField,
  emailExists,
  findCredentialsById,
  findUserById,
  insertUser,
  insertUserIfAbsent,
  listUsers,
  type ProfileChanges,
  setPasswordHash,
  type UserRecord,
  updateUser,
} from './users.repository.js';
import type { AccessBody, PasswordChangeBody, ProfileBody, RegisterBody } from './users.schemas.js';

export interface UsersServiceDeps {
  database: Database;
  hasher: PasswordHasher;
  limiter: AttemptLimiter;
  /** Wrong current passwords allowed per user in the limiter's window. */
  maxPasswordFailures: number;
  logger: FastifyBaseLogger;
  /** Mails a new user the link that verifies their e-mail. */
  verification: Pick<EmailVerificationService, 'record'>;
}

export interface AdminAccount {
  email: string;
  password: string;
  username: string;
}

/** Accounts: registration, profiles, passwords, and what admins may change. */
export class UsersService {
  constructor(private readonly deps: UsersServiceDeps) {}

  async register(body: RegisterBody): Promise<UserRecord> {
    await refuseWeakPassword('password', body.password, [
      body.username,
      body.email,
      body.first_name ?? '',
      body.last_name ?? '',
    ]);
    const passwordHash = await this.deps.hasher.hash(body.password);
    return this.writeUnique(async (tx) => {
      const user = await insertUser(tx, {
        username: body.username,
        email: normalizeEmail(body.email),
        passwordHash,
        firstName: body.first_name ?? '',
        lastName: body.last_name ?? '',
        locale: body.locale ?? null,
      });
      await recordUserChange(tx, user, UserEvent.created);
      await this.deps.verification.record(tx, user);
      return user;
    });
  }

  async get(id: number): Promise<UserRecord> {
    const user = await findUserById(this.deps.database.db, id);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  list(window: PageWindow): Promise<{ count: number; rows: UserRecord[] }> {
    return listUsers(this.deps.database.db, window);
  }

  async updateProfile(id: number, body: ProfileBody): Promise<UserRecord> {
    const changes: ProfileChanges = {
      firstName: body.first_name,
      lastName: body.last_name,
      email: body.email === undefined ? undefined : normalizeEmail(body.email),
      phone: body.phone,
      address: body.address,
      locale: body.locale,
    };
    return this.change(id, changes);
  }

  /** Role and activity; deactivating also ends every session of the user. */
  async updateAccess(actorId: number, id: number, body: AccessBody): Promise<UserRecord> {
    if (actorId === id && (body.is_staff === false || body.is_active === false)) throw new SelfLockoutError();
    return this.change(id, { isStaff: body.is_staff, isActive: body.is_active });
  }

  /**
   * Refuses a weak new password first (no attempt counted, no hashing), then checks the current
   * password (limited like logins), then ends every session of the user.
   */
  async changePassword(id: number, body: PasswordChangeBody): Promise<void> {
    const user = await findCredentialsById(this.deps.database.db, id);
    if (user) {
      const { username, email, firstName, lastName } = user;
      await refuseWeakPassword('new_password', body.new_password, [username, email, firstName, lastName]);
    }
    const key = `password:${id}`;
    const wait = await this.deps.limiter.acquire([{ key, max: this.deps.maxPasswordFailures }]);
    if (wait > 0) throw new TooManyAttemptsError(wait);
    if (!user || !(await this.deps.hasher.verify(user.passwordHash, body.current_password))) {
      throw new WrongCurrentPasswordError();
    }
    await this.deps.limiter.reset(key);
    const passwordHash = await this.deps.hasher.hash(body.new_password);
    await this.deps.database.transaction(async (tx) => {
      await setPasswordHash(tx, id, passwordHash);
      await revokeRefreshTokensOfUser(tx, id);
    });
  }

  /**
   * Creates the first admin unless a user already has that email. Never updates an existing user,
   * and never promotes someone else's account that holds the admin username.
   */
  async bootstrapAdmin(admin: AdminAccount): Promise<void> {
    const email = normalizeEmail(admin.email);
    const { database, hasher, logger } = this.deps;
    if (await emailExists(database.db, email)) return;
    const passwordHash = await hasher.hash(admin.password);
    const created = await database.transaction(async (tx) => {
      const user = await insertUserIfAbsent(tx, {
        username: admin.username,
        email,
        passwordHash,
        isStaff: true,
        // The operator chose this address in the configuration: there is no one to mail a link to.
        emailVerified: true,
      });
      if (user) await recordUserChange(tx, user, UserEvent.created);
      return user;
    });
    if (created) logger.info({ userId: created.id, username: created.username }, 'bootstrap admin created');
    else if (!(await emailExists(database.db, email))) {
      logger.warn({ username: admin.username }, 'bootstrap admin not created: the username is taken');
    }
  }

  private async change(id: number, changes: ProfileChanges & AccessChanges): Promise<UserRecord> {
    const given: ProfileChanges & AccessChanges = Object.fromEntries(
      Object.entries(changes).filter(([, value]) => value !== undefined),
    );
    if (Object.keys(given).length === 0) return this.get(id);
    return this.writeUnique(async (tx) => {
      const user = await updateUser(tx, id, given);
      if (!user) throw new UserNotFoundError();
      if (given.isActive === false) await revokeRefreshTokensOfUser(tx, id);
      await recordUserChange(tx, user, UserEvent.updated);
      return user;
    });
  }

  /** Runs a write; a collision on username or email, however it raced, is a 409. */
  private async writeUnique<T>(work: (tx: Executor) => Promise<T>): Promise<T> {
    try {
      return await this.deps.database.transaction(work);
    } catch (error) {
      const field = duplicateField(error);
      if (field === 'username') throw new UsernameTakenError();
      if (field === 'email') throw new EmailTakenError();
      throw error;
    }
  }
}

export async function refuseWeakPassword(
  field: 'password' | 'new_password',
  password: string,
  knownWords: string[],
): Promise<void> {
  const { advice } = await judgePassword(password, knownWords);
  if (advice) throw new WeakPasswordError(field, advice);
}
