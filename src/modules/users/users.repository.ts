import { and, count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { users } from './users.tables.js';

export interface UserRecord {
  id: number;
  username: string;
  email: string;
  emailVerified: boolean;
  firstName: string;
  lastName: string;
  phone: string;
  address: string;
  locale: string | null;
  isStaff: boolean;
  isActive: boolean;
  dateJoined: Date;
  version: number;
}

export interface UserCredentials extends UserRecord {
  passwordHash: string;
}

export interface NewUser {
  username: string;
  email: string;
  passwordHash: string;
  firstName?: string;
  lastName?: string;
  locale?: string | null;
  isStaff?: boolean;
  emailVerified?: boolean;
}

export type ProfileChanges = Partial<
  Pick<UserRecord, 'firstName' | 'lastName' | 'email' | 'phone' | 'address' | 'locale'>
>;
export type AccessChanges = Partial<Pick<UserRecord, 'isStaff' | 'isActive'>>;

/** Every column but the password hash. */
const publicColumns = {
  id: users.id,
  username: users.username,
  email: users.email,
  emailVerified: users.emailVerified,
  firstName: users.firstName,
  lastName: users.lastName,
  phone: users.phone,
  address: users.address,
  locale: users.locale,
  isStaff: users.isStaff,
  isActive: users.isActive,
  dateJoined: users.dateJoined,
  version: users.version,
};

export async function insertUser(tx: Executor, user: NewUser): Promise<UserRecord> {
  const [row] = await tx.insert(users).values(user).returning(publicColumns);
  return row!;
}

/** Inserts unless the username or email is taken (then `undefined`); waits for a racing insert. */
export async function insertUserIfAbsent(tx: Executor, user: NewUser): Promise<UserRecord | undefined> {
  const [row] = await tx.insert(users).values(user).onConflictDoNothing().returning(publicColumns);
  return row;
}

export async function findUserById(executor: Executor, id: number): Promise<UserRecord | undefined> {
  const [row] = await executor.select(publicColumns).from(users).where(eq(users.id, id)).limit(1);
  return row;
}

export async function findUserByEmail(executor: Executor, email: string): Promise<UserRecord | undefined> {
  const [row] = await executor.select(publicColumns).from(users).where(eq(users.email, email)).limit(1);
  return row;
}

export async function emailExists(executor: Executor, email: string): Promise<boolean> {
  const rows = await executor.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  return rows.length > 0;
}

export async function findCredentialsById(
  executor: Executor,
  id: number,
): Promise<UserCredentials | undefined> {
  const [row] = await executor
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  return row;
}

/**
 * The user a login names: by email (`email` field, or a `username` field holding an `@`), else by
 * username. Usernames cannot hold an `@`; one made before that rule still logs in, but an email
 * always wins over it, so such a name cannot shadow the account whose email it is.
 */
export async function findCredentialsForLogin(
  executor: Executor,
  login: { email: string } | { usernameOrEmail: string },
): Promise<UserCredentials | undefined> {
  const columns = { ...publicColumns, passwordHash: users.passwordHash };
  if ('email' in login) {
    const [row] = await executor.select(columns).from(users).where(eq(users.email, login.email)).limit(1);
    return row;
  }
  const name = login.usernameOrEmail;
  const byUsername = sql`lower(${users.username}) = lower(${name})`;
  if (!name.includes('@')) {
    const [row] = await executor.select(columns).from(users).where(byUsername).limit(1);
    return row;
  }
  const byEmail = sql`${users.email} = ${name.trim().toLowerCase()}`;
  const [row] = await executor
    .select(columns)
    .from(users)
    .where(sql`${byEmail} or ${byUsername}`)
    .orderBy(sql`(${byEmail}) desc`)
    .limit(1);
  return row;
}

export async function updateUser(
  tx: Executor,
  id: number,
  changes: ProfileChanges & AccessChanges,
): Promise<UserRecord | undefined> {
  const [row] = await tx
    .update(users)
    .set({
      ...changes,
      // A new address is unverified; the same address typed again keeps its state.
      ...(changes.email === undefined
        ? {}
        : { emailVerified: sql`${users.email} = ${changes.email} and ${users.emailVerified}` }),
      version: sql`${users.version} + 1`,
    })
    .where(eq(users.id, id))
    .returning(publicColumns);
  return row;
}

/**
 * The user, share-locked until the transaction ends. Every transaction that writes refresh tokens
 * takes this lock first, and every change that revokes them updates the user row first, so a
 * revocation waits for sessions being issued and then sees them, and no two of them deadlock.
 */
export async function lockUserForSession(tx: Executor, id: number): Promise<UserCredentials | undefined> {
  const [row] = await tx
    .select({ ...publicColumns, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, id))
    .limit(1)
    .for('share');
  return row;
}

/** Replaces a hash only if it is still the one read, so a concurrent password change wins. */
export async function upgradePasswordHash(
  executor: Executor,
  id: number,
  from: string,
  to: string,
): Promise<void> {
  await executor
    .update(users)
    .set({ passwordHash: to })
    .where(and(eq(users.id, id), eq(users.passwordHash, from)));
}

export async function setPasswordHash(tx: Executor, id: number, passwordHash: string): Promise<void> {
  await tx.update(users).set({ passwordHash }).where(eq(users.id, id));
}

/** Marks the e-mail verified if the user still has `email`; answers whether they had. */
export async function markEmailVerified(tx: Executor, id: number, email: string): Promise<boolean> {
  const rows = await tx
    .update(users)
    .set({ emailVerified: true })
    .where(and(eq(users.id, id), eq(users.email, email)))
    .returning({ id: users.id });
  return rows.length > 0;
}

/** Sets the hash if the user still has `email` (a reset link is void once the e-mail changed). */
export async function resetPasswordHash(
  tx: Executor,
  id: number,
  email: string,
  passwordHash: string,
): Promise<boolean> {
  const rows = await tx
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, id), eq(users.email, email)))
    .returning({ id: users.id });
  return rows.length > 0;
}

export async function listUsers(
  executor: Executor,
  window: { limit: number; offset: number },
): Promise<{ count: number; rows: UserRecord[] }> {
  const [total] = await executor.select({ n: count() }).from(users);
  const found = total?.n ?? 0;
  // A page past the last is empty; asking anyway could overflow the OFFSET of an absurd page.
  if (window.offset >= found) return { count: found, rows: [] };
  const rows = await executor
    .select(publicColumns)
    .from(users)
    .orderBy(users.id)
    .limit(window.limit)
    .offset(window.offset);
  return { count: found, rows };
}

const DUPLICATE_FIELDS: Record<string, 'username' | 'email'> = {
  users_username_lower_key: 'username',
  users_email_key: 'email',
};

/** Which unique field a failed insert or update collided on (SQLSTATE 23505), on either driver. */
export function duplicateField(error: unknown): 'username' | 'email' | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    const fields = current as Error & { code?: string; constraint?: string; constraint_name?: string };
    if (fields.code === '23505') return DUPLICATE_FIELDS[fields.constraint_name ?? fields.constraint ?? ''];
  }
  return undefined;
}
