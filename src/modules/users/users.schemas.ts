import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';

/** No control characters: PostgreSQL text cannot hold NUL, and none belongs in these fields. */
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]*$';
/** As PRINTABLE, but tabs and line breaks are allowed (a postal address has lines). */
const MULTILINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
const EMAIL_PART = '[^@\\s\\u0000-\\u001F\\u007F]+';

/**
 * Letters, digits and `. + - _` (Django's set, ASCII only, less `@`): a username never looks like an
 * email, so the login's `username` field, which also takes emails, cannot be made to reach another
 * user's account by registering their address as a username.
 */
const Username = Type.String({
  minLength: 1,
  maxLength: 150,
  pattern: '^[A-Za-z0-9.+_-]+$',
  description: 'letters, digits and . + - _ (no @: a username never looks like an email)',
  [ERROR_MESSAGE]: 'may contain only letters, digits and . + - _ (no @: a username is not an e-mail address)',
});
/** Surrounding blanks are allowed here and trimmed by the service. */
const Email = Type.String({
  maxLength: 254,
  pattern: `^\\s*${EMAIL_PART}@${EMAIL_PART}\\.${EMAIL_PART}\\s*$`,
  [ERROR_MESSAGE]: 'must be an e-mail address such as ana@example.com',
});
const NO_CONTROL = 'must not contain control characters';
const LoginName = Type.String({
  minLength: 1,
  maxLength: 254,
  pattern: PRINTABLE,
  [ERROR_MESSAGE]: NO_CONTROL,
});
const NewPassword = Type.String({ minLength: 8, maxLength: 128 });
const GivenPassword = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ maxLength: 150, pattern: PRINTABLE, [ERROR_MESSAGE]: NO_CONTROL });
const Phone = Type.String({ maxLength: 32, pattern: PRINTABLE, [ERROR_MESSAGE]: NO_CONTROL });
const Address = Type.String({
  maxLength: 500,
  pattern: MULTILINE,
  [ERROR_MESSAGE]: 'must not contain control characters other than tabs and line breaks',
});
const RefreshToken = Type.String({ minLength: 1, maxLength: 256 });
const REFRESH_EXAMPLE = 'rt_4mV9cQ2xYb7LkP0sWn3eHj8ZuTa6RgFd';
const ACCESS_EXAMPLE =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1IiwiaXNfc3RhZmYiOmZhbHNlLCJ0eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl';

export const RegisterBody = Type.Object(
  {
    username: Username,
    email: Email,
    password: NewPassword,
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
  },
  {
    $id: 'Registration',
    additionalProperties: false,
    examples: [
      {
        username: 'ana',
        email: 'ana@example.com',
        password: 'Tortuga-lenta-83!',
        first_name: 'Ana',
        last_name: 'Ruiz',
      },
    ],
  },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const LoginBody = Type.Object(
  {
    username: Type.Optional(LoginName),
    email: Type.Optional(LoginName),
    password: GivenPassword,
  },
  {
    $id: 'Credentials',
    additionalProperties: false,
    description: '`username` (or an email in it) or `email`, and `password`',
    examples: [{ username: 'ana', password: 'Tortuga-lenta-83!' }],
  },
);
export type LoginBody = Static<typeof LoginBody>;

export const RefreshBody = Type.Object(
  { refresh: RefreshToken },
  { $id: 'RefreshToken', additionalProperties: false, examples: [{ refresh: REFRESH_EXAMPLE }] },
);
export type RefreshBody = Static<typeof RefreshBody>;

export const ProfileBody = Type.Object(
  {
    first_name: Type.Optional(Name),
    last_name: Type.Optional(Name),
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    address: Type.Optional(Address),
  },
  {
    $id: 'ProfileChange',
    additionalProperties: false,
    examples: [{ phone: '+34 600 123 456', address: 'Calle Mayor 1\n28013 Madrid' }],
  },
);
export type ProfileBody = Static<typeof ProfileBody>;

export const PasswordChangeBody = Type.Object(
  { current_password: GivenPassword, new_password: NewPassword },
  {
    $id: 'PasswordChange',
    additionalProperties: false,
    examples: [{ current_password: 'Tortuga-lenta-83!', new_password: 'Liebre-veloz-2026?' }],
  },
);
export type PasswordChangeBody = Static<typeof PasswordChangeBody>;

export const AccessBody = Type.Object(
  { is_staff: Type.Optional(Type.Boolean()), is_active: Type.Optional(Type.Boolean()) },
  { $id: 'AccessChange', additionalProperties: false, examples: [{ is_active: false }] },
);
export type AccessBody = Static<typeof AccessBody>;

/** Paging only; any other parameter is a 400. */
export const UsersQuery = Type.Composite([PageQuery], { additionalProperties: false });

export const UserIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
export type UserIdParams = Static<typeof UserIdParams>;

const USER_EXAMPLE = {
  id: 5,
  username: 'ana',
  email: 'ana@example.com',
  first_name: 'Ana',
  last_name: 'Ruiz',
  phone: '',
  address: '',
  is_staff: false,
  is_active: true,
  date_joined: '2026-03-01T12:00:00.000Z',
};

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    phone: Type.String(),
    address: Type.String(),
    is_staff: Type.Boolean(),
    is_active: Type.Boolean(),
    date_joined: Type.String({ format: 'date-time' }),
  },
  { $id: 'User', description: 'A user; never carries a password or its hash', examples: [USER_EXAMPLE] },
);
export type User = Static<typeof User>;

export const UserPage = pageOf(User, {
  $id: 'UserPage',
  examples: [{ count: 1, next: null, previous: null, results: [USER_EXAMPLE] }],
});

export const TokenPair = Type.Object(
  { access: Type.String(), refresh: Type.String() },
  { $id: 'TokenPair', examples: [{ access: ACCESS_EXAMPLE, refresh: REFRESH_EXAMPLE }] },
);
export type TokenPair = Static<typeof TokenPair>;

export const LoginAnswer = Type.Object(
  { access: Type.String(), refresh: Type.String(), user: User },
  { $id: 'Session', examples: [{ access: ACCESS_EXAMPLE, refresh: REFRESH_EXAMPLE, user: USER_EXAMPLE }] },
);
