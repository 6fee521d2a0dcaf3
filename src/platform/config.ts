import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { unloadEstimator } from './password-strength.js';
import { adminPasswordProblem, adminPasswordProblemLater, jwtSecretProblem } from './secret-strength.js';

/** An address as MAIL_FROM takes it: `name@domain`, alone or inside `Name <…>`. */
const MAILBOX = '[^@<>\\s]+@[^@<>\\s]+';

/** Every environment variable the system reads. Nothing else touches `process.env`. */
export const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], {
    default: 'development',
  }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^(postgres(ql)?://|memory://$)' })),
  DATABASE_SESSION_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_PREPARED_STATEMENTS: Type.Boolean({ default: true }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  DATABASE_EVENT_POOL_SIZE: Type.Integer({ minimum: 0, maximum: 100, default: 0 }),
  DATA_DIR: Type.String({ minLength: 1, default: './.data' }),
  AMQP_URL: Type.Optional(Type.String({ pattern: '^amqps?://' })),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ACCESS_TTL_SECONDS: Type.Integer({ minimum: 10, default: 900 }),
  JWT_REFRESH_TTL_SECONDS: Type.Integer({ minimum: 60, default: 7 * 24 * 3600 }),
  MODULES: Type.String({ pattern: '^(all|[a-z_]+(,[a-z_]+)*)$', default: 'all' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('pretty'), Type.Literal('json')])),
  ADMIN_EMAIL: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 8 })),
  ADMIN_USERNAME: Type.String({
    minLength: 1,
    maxLength: 150,
    pattern: '^[A-Za-z0-9.+_-]+$',
    default: 'admin',
  }),
  ARGON2_MEMORY_KIB: Type.Integer({ minimum: 19456, default: 19456 }),
  ARGON2_TIME_COST: Type.Integer({ minimum: 2, default: 2 }),
  LOGIN_MAX_FAILURES: Type.Integer({ minimum: 1, default: 5 }),
  LOGIN_MAX_FAILURES_PER_ADDRESS: Type.Integer({ minimum: 1, default: 100 }),
  LOGIN_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 900 }),
  PASSWORD_RESET_TTL_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 30 }),
  EMAIL_VERIFICATION_TTL_MINUTES: Type.Integer({ minimum: 1, maximum: 43_200, default: 1440 }),
  ACCOUNT_MAIL_MAX_PER_ACCOUNT: Type.Integer({ minimum: 1, default: 3 }),
  ACCOUNT_MAIL_MAX_PER_ADDRESS: Type.Integer({ minimum: 1, default: 20 }),
  ACCOUNT_MAIL_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 3600 }),
  RATE_LIMIT_MAX: Type.Integer({ minimum: 0, default: 600 }),
  RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
  CORS_ORIGINS: Type.String({ default: '' }),
  TRUST_PROXY: Type.String({
    pattern: '^(true|false|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$',
    default: 'false',
  }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*)?$', maxLength: 2000 })),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  EVENT_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  EVENT_RETRY_DELAY_MS: Type.Integer({ minimum: 0, default: 200 }),
  EVENT_PREFETCH: Type.Integer({ minimum: 1, maximum: 1000, default: 30 }),
  OUTBOX_POLL_MS: Type.Integer({ minimum: 10, default: 500 }),
  OUTBOX_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
  EVENT_RETENTION_HOURS: Type.Integer({ minimum: 1, default: 168 }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  /** A confirmed order not paid within this is cancelled (`payment_timeout`); 0 keeps them for ever. */
  ORDER_PAYMENT_WINDOW_MINUTES: Type.Integer({ minimum: 0, maximum: 525_600, default: 60 }),
  ORDER_EXPIRY_CHECK_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://[^\\s]+$' })),
  SMTP_HOST: Type.Optional(Type.String({ pattern: '^[^\\s/@]+$' })),
  SMTP_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  SMTP_SECURE: Type.Optional(Type.Boolean()),
  SMTP_USER: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
  MAIL_TRANSPORT: Type.Optional(
    Type.Union([Type.Literal('smtp'), Type.Literal('file'), Type.Literal('memory')]),
  ),
  MAIL_FROM: Type.String({
    pattern: `^(${MAILBOX}|[^<>\\r\\n]{1,100} <${MAILBOX}>)$`,
    default: 'Mascotas <no-reply@localhost>',
  }),
  MAIL_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
  MAIL_RETRY_DELAY_MS: Type.Integer({ minimum: 0, default: 10_000 }),
  MAIL_RETRY_MAX_DELAY_MS: Type.Integer({ minimum: 0, default: 1_800_000 }),
  MAIL_POLL_MS: Type.Integer({ minimum: 10, default: 1000 }),
  MAIL_SEND_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
});

export type RawConfig = Static<typeof ConfigSchema>;
export type Config = RawConfig & {
  JWT_SECRET: string;
  modules: string[] | 'all';
  trustProxy: boolean | string;
  /** `LOG_FORMAT`, else pretty lines in development and JSON everywhere else. */
  logFormat: 'pretty' | 'json';
  /** `MAIL_TRANSPORT`, else SMTP when one is configured, captured in memory in tests, files otherwise. */
  mailTransport: 'smtp' | 'file' | 'memory';
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The one error a start with wrong settings ends with: every problem on its own line. */
function invalidConfiguration(problems: readonly string[]): ConfigError {
  return new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** What an attacker of the bootstrap admin knows: its email and username. */
const adminWords = (raw: Pick<RawConfig, 'ADMIN_EMAIL' | 'ADMIN_USERNAME'>) => [
  raw.ADMIN_EMAIL ?? '',
  raw.ADMIN_USERNAME,
];

function withoutEmpty(env: Record<string, string | undefined>): Record<string, string> {
  const known = Object.keys(ConfigSchema.properties);
  const picked: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  return picked;
}

/** Checks the environment once; a wrong value throws a ConfigError naming the variable. */
export function parseConfig(env: Record<string, string | undefined>): RawConfig {
  const input = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, withoutEmpty(env)));
  const errors = [...Value.Errors(ConfigSchema, input)];
  if (errors.length > 0) {
    const lines = errors.map((error) => `${error.path.slice(1)}: ${error.message}`);
    throw invalidConfiguration([...new Set(lines)]);
  }
  return input as RawConfig;
}

function developmentSecret(dataDir: string): string {
  const file = join(resolve(dataDir), 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** `false` (default: X-Forwarded-* are the client's words), `true`, or the proxies' addresses/CIDRs. */
function trustProxyOf(value: string): boolean | string {
  return value === 'true' || value === 'false' ? value === 'true' : value;
}

/**
 * What a production start refuses beyond the schema: no JWT_SECRET, a guessable or published one,
 * and a weak or published ADMIN_PASSWORD. Each line names the variable and how to make a good value.
 */
function productionProblems(raw: RawConfig, estimateAdminPassword = true): string[] {
  const problems: string[] = [];
  if (!raw.JWT_SECRET) {
    problems.push('JWT_SECRET is required when NODE_ENV=production: make one with `openssl rand -base64 48`');
  } else {
    const secret = jwtSecretProblem(raw.JWT_SECRET);
    if (secret) problems.push(secret);
  }
  if (raw.ADMIN_PASSWORD && estimateAdminPassword) {
    const password = adminPasswordProblem(raw.ADMIN_PASSWORD, adminWords(raw));
    // A start-up's one check: the estimator's dictionaries are not kept for the server's requests.
    unloadEstimator();
    if (password) problems.push(password);
  }
  return problems;
}

/** The SMTP settings that only make sense together, and the transport they choose. */
function mailProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  const smtp = raw.SMTP_URL !== undefined || raw.SMTP_HOST !== undefined;
  if (raw.SMTP_URL !== undefined && raw.SMTP_HOST !== undefined)
    problems.push('SMTP_URL and SMTP_HOST: give one of them, not both (SMTP_URL holds the host)');
  const hostParts = ['SMTP_PORT', 'SMTP_SECURE', 'SMTP_USER', 'SMTP_PASSWORD'] as const;
  if (raw.SMTP_HOST === undefined)
    for (const name of hostParts)
      if (raw[name] !== undefined)
        problems.push(`${name} needs SMTP_HOST (with SMTP_URL, put it in the URL)`);
  if ((raw.SMTP_USER === undefined) !== (raw.SMTP_PASSWORD === undefined))
    problems.push('SMTP_USER and SMTP_PASSWORD: give both (the relay logs in) or neither');
  if (raw.MAIL_TRANSPORT === 'smtp' && !smtp)
    problems.push('MAIL_TRANSPORT=smtp needs SMTP_URL or SMTP_HOST');
  if (raw.MAIL_TRANSPORT === 'memory' && raw.NODE_ENV === 'production')
    problems.push(
      'MAIL_TRANSPORT=memory keeps mails in the process and loses them: not with NODE_ENV=production',
    );
  if (raw.MAIL_RETRY_MAX_DELAY_MS < raw.MAIL_RETRY_DELAY_MS)
    problems.push('MAIL_RETRY_MAX_DELAY_MS must be at least MAIL_RETRY_DELAY_MS');
  return problems;
}

function mailTransportOf(raw: RawConfig): Config['mailTransport'] {
  if (raw.MAIL_TRANSPORT) return raw.MAIL_TRANSPORT;
  if (raw.SMTP_URL !== undefined || raw.SMTP_HOST !== undefined) return 'smtp';
  return raw.NODE_ENV === 'test' ? 'memory' : 'file';
}

/**
 * `later`: the estimate of ADMIN_PASSWORD's strength is left to `adminPasswordLater`, which the
 * server awaits while it imports the app (the estimator's ~0.5 s in its own process), unless
 * something else is wrong: then every problem is named at once, as always.
 */
export interface ResolveOptions {
  adminPassword?: 'now' | 'later';
}

export function resolveConfig(raw: RawConfig, options: ResolveOptions = {}): Config {
  const problemsOf = (estimate: boolean) => [
    ...(raw.NODE_ENV === 'production' ? productionProblems(raw, estimate) : []),
    ...mailProblems(raw),
  ];
  let problems = problemsOf(options.adminPassword !== 'later');
  if (problems.length > 0 && options.adminPassword === 'later') problems = problemsOf(true);
  if (problems.length > 0) throw invalidConfiguration(problems);
  const secret =
    raw.JWT_SECRET ??
    (raw.DATABASE_URL === 'memory://'
      ? randomBytes(48).toString('base64url')
      : developmentSecret(raw.DATA_DIR));
  const modules = raw.MODULES === 'all' ? 'all' : raw.MODULES.split(',');
  const logFormat = raw.LOG_FORMAT ?? (raw.NODE_ENV === 'development' ? 'pretty' : 'json');
  return {
    ...raw,
    JWT_SECRET: secret,
    modules,
    trustProxy: trustProxyOf(raw.TRUST_PROXY),
    logFormat,
    mailTransport: mailTransportOf(raw),
  };
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: ResolveOptions = {},
): Config {
  return resolveConfig(parseConfig(env), options);
}

/**
 * The ADMIN_PASSWORD check that `adminPassword: 'later'` left out, as the configuration's error
 * (undefined when the password holds, or when the check does not apply).
 */
export async function adminPasswordLater(config: Config): Promise<ConfigError | undefined> {
  if (config.NODE_ENV !== 'production' || !config.ADMIN_PASSWORD) return undefined;
  try {
    const problem = await adminPasswordProblemLater(config.ADMIN_PASSWORD, adminWords(config));
    return problem === undefined ? undefined : invalidConfiguration([problem]);
  } finally {
    // A start-up's one check: the estimator's dictionaries are not kept for the server's requests.
    unloadEstimator();
  }
}
