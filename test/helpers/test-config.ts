import { type Config, parseConfig, resolveConfig } from '../../src/platform/config.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-signing';

/** A complete configuration for tests: quiet, fast retries, no global rate limit. */
export function testConfig(overrides: Record<string, string | number | undefined> = {}): Config {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_MAX: '0',
    EVENT_RETRY_DELAY_MS: '5',
    EVENT_MAX_ATTEMPTS: '3',
    OUTBOX_POLL_MS: '50',
    DATABASE_POOL_SIZE: '4',
  };
  for (const [key, value] of Object.entries(overrides))
    env[key] = value === undefined ? undefined : String(value);
  return resolveConfig(parseConfig(env));
}
