import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runSeed } from '../../scripts/seed/run-seed.js';
import { parseSeedArgs, UsageError } from '../../scripts/seed/seed.args.js';
import { SeedProgress } from '../../scripts/seed/seed.progress.js';
import { ConfigError } from '../../src/platform/config.js';

describe('the seed arguments', () => {
  it('when nothing is given, then the catalog alone is seeded and delivered', () => {
    expect(parseSeedArgs([])).toEqual({
      kind: 'run',
      products: 0,
      wait: true,
      demo: false,
      progress: 'auto',
    });
  });

  it('when every option is given, then each is read', () => {
    expect(parseSeedArgs(['--products', '100_000', '--demo', '--no-wait', '--progress', 'lines'])).toEqual({
      kind: 'run',
      products: 100_000,
      wait: false,
      demo: true,
      progress: 'lines',
    });
    expect(parseSeedArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--products', 'abc'], '--products takes a whole number from 0 to 999999999, not "abc"'],
    [['--products', '1.5'], '--products takes a whole number from 0 to 999999999, not "1.5"'],
    [['--progress', 'fancy'], '--progress takes auto, bar or lines, not "fancy"'],
    [['--demo=yes'], "Option '--demo' does not take an argument"],
    [['--bogus'], "Unknown option '--bogus'"],
    [['catalog'], "Unexpected argument 'catalog'"],
  ])('when the command line is %j, then a UsageError says %j', (argv, message) => {
    expect(() => parseSeedArgs(argv)).toThrow(new UsageError(message));
  });
});

describe('the seed progress off a terminal', () => {
  it('when a phase moves, then it writes its start, each quarter and its end as plain lines', () => {
    const stderr = new PassThrough();
    const lines: string[] = [];
    stderr.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const phase = new SeedProgress({ stdout: new PassThrough(), stderr }, 'auto').phase(
      'products',
      8,
      'products',
    );
    for (let done = 1; done <= 8; done++) phase.update(done);
    phase.finish();
    expect(lines).toEqual([
      'products: 0/8 products',
      'products: 2/8 products',
      'products: 4/8 products',
      'products: 6/8 products',
      'products: 8/8 products done',
    ]);
  });
});

describe('the seed with a wrong environment', () => {
  it('when a variable is wrong, then it says which and exits 1 without a stack trace', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const code = await runSeed([], {
      io: { stdout: new PassThrough(), stderr },
      config: () => {
        throw new ConfigError('invalid configuration:\n  PORT: Expected integer');
      },
    });
    expect(code).toBe(1);
    expect(text).toBe('npm run seed: invalid configuration:\n  PORT: Expected integer\n');
  });
});
