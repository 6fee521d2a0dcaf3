import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkBoundaries } from './boundaries.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const brokenRoot = fileURLToPath(new URL('../fixtures/broken-architecture/', import.meta.url));

describe('module boundaries', () => {
  it('when the real source tree is checked, then no rule is broken', () => {
    expect(checkBoundaries(projectRoot)).toEqual([]);
  });

  it('when a tree breaks each rule, then each break is reported (and a value import of a contract is not a break)', () => {
    const rules = checkBoundaries(brokenRoot).map((violation) => `${violation.file} -> ${violation.imports}`);
    expect(rules.sort()).toEqual(
      [
        'src/modules/alpha/alpha.service.ts -> process.env',
        'src/modules/alpha/alpha.service.ts -> src/modules/alpha/alpha.tables.js',
        'src/modules/alpha/alpha.service.ts -> src/modules/beta/beta.service.js',
        'src/modules/beta/contract.ts -> node:crypto',
        'src/modules/beta/contract.ts -> src/modules/beta/beta.service.js',
        'src/modules/beta/contract.ts -> src/platform/leaky.js',
        'src/platform/leaky.ts -> src/modules/alpha/index.js',
      ].sort(),
    );
  });
});
