import { type Static, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';

/** No control characters: PostgreSQL text cannot hold NUL, and none belongs in these fields. */
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]*$';
/** As PRINTABLE, but tabs and line breaks are allowed (a postal address has lines). */
const MULTILINE = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
/** No `< > , ; "` either: the mailer refuses an address holding them (a header could not carry it). */
const EMAIL_PART = '[^@\\s\\u0000-\\u001F\\u007F<>,;"]+';

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
/** A BCP 47 language tag such as `es`, `es-AR` or `en-GB`. */
const Locale = Type.String({
  minLength: 2,
  maxLength: 35,
  pattern: '^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$',
  description: 'a BCP 47 language tag such as es, es-AR or en-GB; null or absent is English',
  [ERROR_MESSAGE]: 'must be a language tag such as es, es-AR or en-GB',
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
    locale: Type.Optional(Locale),
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
    locale: Type.Optional(Type.Union([Locale, Type.Null()])),
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
  email_verified: true,
  first_name: 'Ana',
  last_name: 'Ruiz',
  phone: '',
  address: '',
  locale: 'es',
  is_staff: false,
  is_active: true,
  date_joined: '2026-03-01T12:00:00.000Z',
};

export const User = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    email_verified: Type.Boolean(),
    first_name: Type.String(),
    last_name: Type.String(),
    phone: Type.String(),
    address: Type.String(),
    locale: Type.Union([Type.String(), Type.Null()]),
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

/** A token from a mail's link: 256 bits in base64url (43 characters); anything else is refused. */
const MailToken = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: '^[A-Za-z0-9_-]+$',
  [ERROR_MESSAGE]: 'must be the token from the link in the mail',
});

export const PasswordResetBody = Type.Object(
  { email: Email },
  { $id: 'PasswordResetRequest', additionalProperties: false, examples: [{ email: 'ana@example.com' }] },
);
export type PasswordResetBody = Static<typeof PasswordResetBody>;

export const PasswordResetConfirmBody = Type.Object(
  { token: MailToken, new_password: NewPassword },
  {
    $id: 'PasswordResetConfirmation',
    additionalProperties: false,
    examples: [{ token: 'q3Zx8vN1cT5bLw0pRj7yHs2kMd9fGa4eUo6iVn1XcQE', new_password: 'Nuevo-gato-gris-27!' }],
  },
);
export type PasswordResetConfirmBody = Static<typeof PasswordResetConfirmBody>;

export const EmailVerifyBody = Type.Object(
  { token: MailToken },
  {
    $id: 'EmailVerification',
    additionalProperties: false,
    examples: [{ token: 'q3Zx8vN1cT5bLw0pRj7yHs2kMd9fGa4eUo6iVn1XcQE' }],
  },
);
export type EmailVerifyBody = Static<typeof EmailVerifyBody>;

/** The answer to a request that may send a mail: the same whatever happened. */
export const MailRequested = Type.Object(
  { detail: Type.String() },
  {
    $id: 'MailRequested',
    examples: [{ detail: 'If an account has this address, a link to reset its password is on its way.' }],
  },
);
