import { type Static, type TString, Type } from '@sinclair/typebox';
import { PageQuery, pageOf } from '../../platform/http/paging.js';
import { ERROR_MESSAGE } from '../../platform/http/validation-messages.js';
import { COUNTRY_CODE_PATTERN } from './country-codes.js';

/** A user keeps at most this many addresses (409 `USERS.ADDRESS_LIMIT`): one page of the list. */
export const MAX_ADDRESSES = 20;

/** No control characters, and something other than blanks: the service trims what is kept. */
const FILLED = '^[^\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$';
/** No control characters; blank is allowed (an optional field left blank is kept as null). */
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]*$';

const filled = (maxLength: number): TString =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: FILLED,
    [ERROR_MESSAGE]: 'must not be blank nor contain control characters',
  });
const optionalText = (maxLength: number) =>
  Type.Union([
    Type.String({ maxLength, pattern: PRINTABLE, [ERROR_MESSAGE]: 'must not contain control characters' }),
    Type.Null(),
  ]);

const fields = {
  name: filled(150),
  line1: filled(200),
  line2: optionalText(200),
  city: filled(100),
  postal_code: filled(20),
  region: optionalText(100),
  country: Type.String({
    pattern: COUNTRY_CODE_PATTERN,
    description: 'ISO 3166-1 alpha-2 country code, upper case (ES, AR, US)',
    [ERROR_MESSAGE]: 'must be an ISO 3166-1 alpha-2 country code in upper case, such as ES',
  }),
  // The profile's phone rule: at most 32 characters, no control characters.
  phone: optionalText(32),
  is_default: Type.Boolean({
    description: 'make this the default address (the previous one stops being it)',
  }),
};

const ADDRESS_INPUT_EXAMPLE = {
  name: 'Ana Ruiz',
  line1: 'Calle Mayor 1',
  line2: '3º B',
  city: 'Madrid',
  postal_code: '28013',
  region: 'Madrid',
  country: 'ES',
  phone: '+34 600 123 456',
};

export const AddressBody = Type.Object(
  {
    name: fields.name,
    line1: fields.line1,
    line2: Type.Optional(fields.line2),
    city: fields.city,
    postal_code: fields.postal_code,
    region: Type.Optional(fields.region),
    country: fields.country,
    phone: Type.Optional(fields.phone),
    is_default: Type.Optional(fields.is_default),
  },
  { $id: 'AddressInput', additionalProperties: false, examples: [ADDRESS_INPUT_EXAMPLE] },
);
export type AddressBody = Static<typeof AddressBody>;

export const AddressChangeBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    line1: Type.Optional(fields.line1),
    line2: Type.Optional(fields.line2),
    city: Type.Optional(fields.city),
    postal_code: Type.Optional(fields.postal_code),
    region: Type.Optional(fields.region),
    country: Type.Optional(fields.country),
    phone: Type.Optional(fields.phone),
    is_default: Type.Optional(fields.is_default),
  },
  {
    $id: 'AddressChange',
    additionalProperties: false,
    examples: [{ line2: null, is_default: true }],
  },
);
export type AddressChangeBody = Static<typeof AddressChangeBody>;

export const AddressParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
export type AddressParams = Static<typeof AddressParams>;

/** Paging only; any other parameter is a 400. */
export const AddressesQuery = Type.Composite([PageQuery], { additionalProperties: false });

const ADDRESS_EXAMPLE = {
  id: 12,
  ...ADDRESS_INPUT_EXAMPLE,
  is_default: true,
  created_at: '2026-03-01T12:00:00.000Z',
  updated_at: '2026-03-01T12:00:00.000Z',
};

const Nullable = Type.Union([Type.String(), Type.Null()]);

export const Address = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    line1: Type.String(),
    line2: Nullable,
    city: Type.String(),
    postal_code: Type.String(),
    region: Nullable,
    country: Type.String(),
    phone: Nullable,
    is_default: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  {
    $id: 'Address',
    description: 'An address of the signed-in user’s address book',
    examples: [ADDRESS_EXAMPLE],
  },
);
export type Address = Static<typeof Address>;

export const AddressPage = pageOf(Address, {
  $id: 'AddressPage',
  examples: [{ count: 1, next: null, previous: null, results: [ADDRESS_EXAMPLE] }],
});
