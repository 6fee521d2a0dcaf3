import { describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { describeFuzz, FUZZ_GROUPS } from './fuzz-suite.js';

/**
 * Schema-driven fuzzing of every route, split over three files so that each stays short: this one
 * takes the users module and the platform's own routes (health, the operations API), fuzz-catalog
 * and fuzz-commerce the others.
 */
describe('the fuzz files', () => {
  it('when the modules are listed, then every module is fuzzed by one of the files', () => {
    const fuzzed: readonly (string | null)[] = Object.values(FUZZ_GROUPS).flat();
    expect(ALL_MODULES.map((module) => module.name).filter((name) => !fuzzed.includes(name))).toEqual([]);
  });
});

describeFuzz(FUZZ_GROUPS.users, { checkGroups: true });
