/**
 * Hostile values the fuzz puts into fields, query parameters and path segments. None of them
 * contains the words that `response-checks.ts` looks for as signs of leaked internals, so an
 * error that echoes the input back is never mistaken for a leak.
 */

export const SQL_INJECTIONS = [
  "' OR '1'='1",
  "1' OR 1=1 --",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1 UNION SELECT username, email FROM users.users --',
  "') OR ('a'='a",
  '%',
  '_',
  '\\',
  "%' --",
  '1; SELECT pg_sleep(0); --',
  '$1',
  "E'\\x41'",
];

export const JSON_INJECTIONS = [
  '{"$gt": ""}',
  '","is_staff":true,"x":"',
  '{"__proto__": {"is_staff": true}}',
  '[]',
  'null',
  'true',
  '{}',
];

export const CONTROL_CHARACTERS = [
  '\u0000',
  'a\u0000b',
  '\u0007',
  '\u001b[31mred',
  'a\r\nSet-Cookie: x=1',
  '\u007F',
];

export const UNICODE_EDGES = [
  '\uD800',
  '\uDFFF',
  '\uFEFF',
  '\u202Egnp.exe',
  'e\u0301\u0301\u0301',
  '\u200B',
  '🐶🐱🐟',
  'Ⅻ',
  'ﬁ',
  '\t\n\r',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  ' ',
  '',
];

export const NUMERIC_TEXT = [
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '-0',
  '1.5',
  '1e3',
  '1e309',
  '0x10',
  '00001',
  ' 1',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
  '',
];

export const NUMBER_ATTACKS: unknown[] = [
  -1,
  0,
  1.5,
  0.1,
  -0.5,
  2 ** 31,
  2 ** 31 - 1,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  1e21,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER,
  'NaN',
  'Infinity',
  '1',
];

export const WRONG_TYPES: unknown[] = [null, true, false, 0, -1, 1.5, 'x', '', [], {}, [1], { a: 1 }];

export const MASS_ASSIGNMENT_FIELDS = [
  'id',
  'is_staff',
  'is_active',
  'user_id',
  'status',
  'total',
  'price',
  'unit_price',
  'verified_purchase',
  'password_hash',
  'version',
  'deleted_at',
  'created_at',
  'rating_avg',
  'constructor',
];

/** Strings near and over every plausible length limit (the largest stays under the 1 MiB body limit). */
export const HUGE_STRINGS = ['x'.repeat(101), 'x'.repeat(256), 'x'.repeat(5001), 'ü'.repeat(70_000)];

export const STRING_ATTACKS: string[] = [
  ...SQL_INJECTIONS,
  ...JSON_INJECTIONS,
  ...CONTROL_CHARACTERS,
  ...UNICODE_EDGES,
  ...NUMERIC_TEXT,
  ...HUGE_STRINGS,
];

export function nestedArrays(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

export function nestedObjects(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

/** Raw bodies that are not what a JSON parser expects. */
export const RAW_BODIES = [
  '{',
  '{"a":',
  '',
  ' ',
  'null',
  '\uFEFF{}',
  '{"a":1,"a":2}',
  '{"__proto__":{"is_staff":true}}',
  '{"constructor":{"prototype":{"is_staff":true}}}',
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  '1e999999',
  '"\\ud800"',
  '[1,2,',
];

/** Content types other than JSON; the body is sent as is. */
export const OTHER_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
];

/** Path segments, already URL-encoded where a raw character could not be sent. */
export const PATH_ATTACKS = [
  ...NUMERIC_TEXT.filter((value) => value !== ''),
  ...SQL_INJECTIONS.map(encodeURIComponent),
  ...UNICODE_EDGES.filter((value) => value !== '' && !/[\uD800-\uDFFF]/u.test(value)).map(encodeURIComponent),
  ...CONTROL_CHARACTERS.map(encodeURIComponent),
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  'x'.repeat(190),
  'x'.repeat(300),
  '%E0%A4%A',
  '%',
  'null',
  'undefined',
  'true',
];
