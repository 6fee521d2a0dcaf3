import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminPasswordLater, ConfigError, loadConfig } from '../../src/platform/config.js';
import { estimatorLoaded } from '../../src/platform/password-strength.js';

const ROOT = new URL('../../', import.meta.url);

/** Every JWT_SECRET value written in the repository: dotenv lines, shell exports and string constants. */
function publishedSecrets(): string[] {
  const files = ['README.md', '.env.example', 'docker-compose.yml', 'docker-compose.split.yml'];
  for (const folder of [
    'docs',
    'docs/modules',
    'bench',
    'test/helpers',
    'test/users',
    'test/security',
    'scripts',
  ]) {
    for (const name of readdirSync(new URL(folder, ROOT))) {
      if (statSync(new URL(`${folder}/${name}`, ROOT)).isFile()) files.push(`${folder}/${name}`);
    }
  }
  const values = new Set<string>();
  for (const file of files) {
    const text = readFileSync(new URL(file, ROOT), 'utf8');
    const patterns = [
      /JWT_SECRET\s*=\s*['"]?([^'"\s$()]{8,})(?![\w(])/gu,
      /JWT_SECRET\w*\s*[:=]\s*['"]([^'"]{8,})['"]/gu,
      /secret(?:: string \| null)? = '([^']{8,})'/gu,
      /'(another-secret[^']*)'/gu,
    ];
    for (const pattern of patterns) for (const [, value] of text.matchAll(pattern)) values.add(value!);
  }
  return [...values];
}

const STRONG_ADMIN_PASSWORD = 'kiwi marmalade tundra oboe quartz';
const production = (env: Record<string, string>) => ({
  NODE_ENV: 'production',
  DATABASE_URL: 'memory://',
  JWT_SECRET: randomBytes(48).toString('base64'),
  ...env,
});

describe('configuration', () => {
  const folders: string[] = [];
  const dataDir = () => {
    const folder = mkdtempSync(join(tmpdir(), 'mascotas-config-'));
    folders.push(folder);
    return folder;
  };
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('when nothing is set, then it runs on embedded defaults with all modules', () => {
    const config = loadConfig({ DATA_DIR: dataDir() });
    expect(config).toMatchObject({
      PORT: 3000,
      MODULES: 'all',
      modules: 'all',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.AMQP_URL).toBeUndefined();
  });

  it('when a value is wrong, then the error names the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ MODULES: 'users,,cart' })).toThrow(/MODULES/);
    expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('when production has no JWT_SECRET, then it refuses to start', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir() })).toThrow(/JWT_SECRET/);
  });

  it('when development has no JWT_SECRET, then one is generated and kept for the next start', () => {
    const folder = dataDir();
    const first = loadConfig({ DATA_DIR: folder });
    const second = loadConfig({ DATA_DIR: folder });
    expect(first.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(second.JWT_SECRET).toBe(first.JWT_SECRET);
    expect(readFileSync(join(folder, 'jwt-secret'), 'utf8')).toBe(first.JWT_SECRET);
  });

  it('when MODULES lists modules, then they are split into names', () => {
    expect(loadConfig({ MODULES: 'users,cart', DATA_DIR: dataDir() }).modules).toEqual(['users', 'cart']);
  });

  it('when an option is an email-like ADMIN_USERNAME or a PUBLIC_URL that is not a URL, then it is refused', () => {
    expect(() => loadConfig({ ADMIN_USERNAME: 'boss@mascotas.test' })).toThrow(/ADMIN_USERNAME/u);
    for (const url of ['shop.example', 'ftp://shop.example', 'https://shop.example/?q=1', 'https://a@b'])
      expect(() => loadConfig({ PUBLIC_URL: url }), url).toThrow(/PUBLIC_URL/u);
    expect(loadConfig({ PUBLIC_URL: 'https://shop.example/store', DATA_DIR: dataDir() }).PUBLIC_URL).toBe(
      'https://shop.example/store',
    );
  });
});

describe('a production start refuses guessable secrets', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(production(env));
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return 'accepted';
  };

  it('when JWT_SECRET is any value published in this repository, then it is refused, saying how to make one', () => {
    const published = publishedSecrets();
    expect(published).toEqual(expect.arrayContaining(['test-secret-that-is-long-enough-for-hs256-signing']));
    // The value .env.example shipped before it left JWT_SECRET empty, which copies of it still hold.
    for (const secret of [...published, 'replace-me-with-at-least-32-random-characters-0123456789']) {
      const message = refusal({ JWT_SECRET: secret });
      expect(message, secret).toMatch(/JWT_SECRET .*forge.*openssl rand -base64 48/u);
    }
  });

  it.each([
    ['a placeholder', 'change-me-to-a-long-random-value-0123456789-ABCDEFGHIJ', 'placeholder'],
    ['one repeated character', 'a'.repeat(64), 'distinct characters'],
    ['two characters alternating', 'ab'.repeat(40), 'distinct characters'],
    ['32 base64 characters (192 bits)', randomBytes(24).toString('base64'), 'bits'],
    ['32 hex digits (128 bits)', randomBytes(16).toString('hex'), 'bits'],
    ['a short sentence', 'my jwt signing key, keep it safe, ok?', 'bits'],
  ])('when JWT_SECRET is %s, then it is refused, naming it and how to make one', (_case, secret, why) => {
    const message = refusal({ JWT_SECRET: secret });
    expect(message).toContain('JWT_SECRET');
    expect(message).toContain(why);
    expect(message).toContain('openssl rand');
  });

  it.each([
    ['48 random bytes in base64', () => randomBytes(48).toString('base64')],
    ['32 random bytes in hex', () => randomBytes(32).toString('hex')],
    ['32 random bytes in base64url', () => randomBytes(32).toString('base64url')],
  ])('when JWT_SECRET is %s, then production starts with it', (_case, make) => {
    const secret = make();
    expect(loadConfig(production({ JWT_SECRET: secret })).JWT_SECRET).toBe(secret);
  });

  it.each([
    ['the old .env.example value', 'replace-me-too', 'example value'],
    ['a placeholder', 'change-me-please-2025', 'placeholder'],
    ['a top password', 'password123', 'too easy to guess'],
    ['the admin email and a year', 'boss2024', 'too easy to guess'],
    ['a word and digits', 'Dragon1234', 'too easy to guess'],
  ])('when ADMIN_PASSWORD is %s, then it is refused, naming it and what to use', (_case, password, why) => {
    const message = refusal({ ADMIN_EMAIL: 'boss@mascotas.test', ADMIN_PASSWORD: password });
    expect(message).toContain('ADMIN_PASSWORD');
    expect(message).toContain(why);
    expect(message).toContain('passphrase');
    expect(message).not.toContain(password);
  });

  it('when JWT_SECRET and ADMIN_PASSWORD are both wrong, then both are named at once', () => {
    const message = refusal({
      JWT_SECRET: 'x'.repeat(40),
      ADMIN_EMAIL: 'a@b.test',
      ADMIN_PASSWORD: 'password',
    });
    expect(message).toMatch(/JWT_SECRET[\s\S]*ADMIN_PASSWORD/u);
  });

  it('when the admin password is strong and the secret random, then production starts', () => {
    const config = loadConfig(
      production({ ADMIN_EMAIL: 'boss@mascotas.test', ADMIN_PASSWORD: STRONG_ADMIN_PASSWORD }),
    );
    expect(config.ADMIN_PASSWORD).toBe(STRONG_ADMIN_PASSWORD);
    // The start-up's one check does not keep the estimator's ~35 MB of dictionaries for the server.
    expect(estimatorLoaded()).toBe(false);
  });

  describe('the server start, which estimates ADMIN_PASSWORD while it imports the app', () => {
    const later = (env: Record<string, string>) => loadConfig(production(env), { adminPassword: 'later' });

    it('when ADMIN_PASSWORD is weak and nothing else is wrong, then the configuration loads and the later check refuses it', async () => {
      const config = later({ ADMIN_EMAIL: 'boss@mascotas.test', ADMIN_PASSWORD: 'Dragon1234' });
      const refused = await adminPasswordLater(config);
      expect(refused).toBeInstanceOf(ConfigError);
      expect(refused?.message).toMatch(/^invalid configuration:\n {2}ADMIN_PASSWORD .*too easy to guess/u);
      expect(refused?.message).not.toContain('Dragon1234');
      expect(estimatorLoaded()).toBe(false);
    });

    it('when ADMIN_PASSWORD is strong, then the later check passes and lets the estimator go', async () => {
      const config = later({ ADMIN_EMAIL: 'boss@mascotas.test', ADMIN_PASSWORD: STRONG_ADMIN_PASSWORD });
      expect(await adminPasswordLater(config)).toBeUndefined();
      expect(estimatorLoaded()).toBe(false);
    });

    it('when something else is wrong too, then every problem is named at once, ADMIN_PASSWORD included', () => {
      expect(() =>
        later({ JWT_SECRET: 'x'.repeat(40), ADMIN_EMAIL: 'a@b.test', ADMIN_PASSWORD: 'password123' }),
      ).toThrow(/JWT_SECRET[\s\S]*ADMIN_PASSWORD .*too easy to guess/u);
    });

    it('when not in production, then there is nothing to check later', async () => {
      const config = loadConfig(
        { NODE_ENV: 'development', DATABASE_URL: 'memory://', ADMIN_PASSWORD: 'replace-me-too' },
        { adminPassword: 'later' },
      );
      expect(await adminPasswordLater(config)).toBeUndefined();
    });
  });

  it('when not in production, then an example secret is tolerated (development and tests)', () => {
    const config = loadConfig({
      NODE_ENV: 'development',
      DATABASE_URL: 'memory://',
      JWT_SECRET: 'replace-me-with-at-least-32-random-characters-0123456789',
      ADMIN_PASSWORD: 'replace-me-too',
    });
    expect(config.JWT_SECRET).toContain('replace-me');
  });
});
