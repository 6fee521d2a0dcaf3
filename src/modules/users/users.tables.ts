import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  pgSchema,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const schema = pgSchema('users');

export const users = schema.table(
  'users',
  {
    id: serial('id').primaryKey(),
    username: text('username').notNull(),
    /** Stored trimmed and lower-cased. */
    email: text('email').notNull(),
    /** The user opened a verification link mailed to `email`; a new e-mail is unverified again. */
    emailVerified: boolean('email_verified').notNull().default(false),
    passwordHash: text('password_hash').notNull(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name').notNull().default(''),
    phone: text('phone').notNull().default(''),
    address: text('address').notNull().default(''),
    /** A BCP 47 tag (`es`, `es-AR`); null is English. Chooses the language of the user's mails. */
    locale: text('locale'),
    isStaff: boolean('is_staff').notNull().default(false),
    isActive: boolean('is_active').notNull().default(true),
    dateJoined: timestamp('date_joined', { withTimezone: true }).notNull().defaultNow(),
    /** The revision carried by `user.*` events; grows by one on every change. */
    version: integer('version').notNull().default(1),
  },
  (table) => [
    uniqueIndex('users_username_lower_key').on(sql`lower(${table.username})`),
    uniqueIndex('users_email_key').on(table.email),
  ],
);

/**
 * Opaque refresh tokens, kept only as SHA-256 hashes. A family is one login: each refresh marks
 * the presented token used and adds its successor to the same family.
 */
export const refreshTokens = schema.table(
  'refresh_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tokenHash: text('token_hash').notNull().unique('refresh_tokens_token_hash_key'),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [
    index('refresh_tokens_family_idx').on(table.familyId),
    index('refresh_tokens_user_idx').on(table.userId),
    // The sweep of expired tokens (users who never log in again leave theirs behind).
    index('refresh_tokens_expires_at_idx').on(table.expiresAt),
  ],
);

/**
 * Failed-login (and password-check) counts, one row per key in a fixed window, shared by every
 * replica. A key is a SHA-256 of what it counts (an account and an address, an address, a user's
 * password checks): no address or typed name is kept as such.
 */
export const loginAttempts = schema.table(
  'login_attempts',
  {
    key: text('key').primaryKey(),
    attempts: integer('attempts').notNull(),
    resetsAt: timestamp('resets_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('login_attempts_resets_at_idx').on(table.resetsAt)],
);

/**
 * Single-use tokens sent by mail (password reset, e-mail verification), kept only as SHA-256
 * hashes. `email` is the address the mail went to: a token is void once the user's e-mail changes.
 */
export const accountTokens = schema.table(
  'account_tokens',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    purpose: text('purpose').notNull().$type<'password_reset' | 'email_verification'>(),
    tokenHash: text('token_hash').notNull().unique('account_tokens_token_hash_key'),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (table) => [
    index('account_tokens_user_idx').on(table.userId, table.purpose),
    // The sweep of expired tokens, used or not (a user who never asks again leaves theirs).
    index('account_tokens_expires_at_idx').on(table.expiresAt),
  ],
);

/**
 * The address book: structured shipping addresses of a user. At most one `is_default` per user
 * (the partial unique index); the service keeps exactly one while the book is not empty.
 */
export const addresses = schema.table(
  'addresses',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    line1: text('line1').notNull(),
    line2: text('line2'),
    city: text('city').notNull(),
    postalCode: text('postal_code').notNull(),
    region: text('region'),
    /** ISO 3166-1 alpha-2, upper case. */
    country: text('country').notNull(),
    phone: text('phone'),
    isDefault: boolean('is_default').notNull().default(false),
    /** The revision carried by `user.address_*` events; grows by one on every change. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('addresses_user_idx').on(table.userId, table.createdAt),
    uniqueIndex('addresses_one_default_key').on(table.userId).where(sql`${table.isDefault}`),
  ],
);
