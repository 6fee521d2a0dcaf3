import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles } from './cycles.js';
import { importGraph } from './import-graph.js';
import { layerViolations } from './platform-layers.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const tangledRoot = fileURLToPath(new URL('../fixtures/tangled-imports/', import.meta.url));

describe('imports', () => {
  it('when the real source tree is checked, then no file reaches itself through its imports, types included', () => {
    expect(importCycles(importGraph(projectRoot)).map((cycle) => cycle.loop)).toEqual([]);
  });

  it('when the real platform is checked, then no layer imports a layer above it', () => {
    expect(layerViolations(importGraph(projectRoot))).toEqual([]);
  });

  it('when a tree has cycles (a type-only one, a dynamic import, a re-export), then each knot is reported once, with a loop through it', () => {
    const cycles = importCycles(importGraph(tangledRoot));
    expect(cycles.map((cycle) => cycle.loop)).toEqual([
      'src/modules/alpha/alpha.service.ts -> src/modules/alpha/alpha.subscribers.ts -(type)-> src/modules/alpha/alpha.service.ts',
      'src/platform/db/database.ts -> src/platform/db/session.ts -(type)-> src/platform/db/database.ts',
      'src/platform/events/runtime.ts -> src/platform/operations/dead-letters.ts -> src/platform/events/runtime.ts',
    ]);
    expect(cycles[0]?.files).toEqual([
      'src/modules/alpha/alpha.service.ts',
      'src/modules/alpha/alpha.subscribers.ts',
    ]);
  });

  it('when the events runtime imports the operator tools, then the import is reported as going up a layer', () => {
    expect(layerViolations(importGraph(tangledRoot))).toEqual([
      {
        file: 'src/platform/events/runtime.ts',
        imports: 'src/platform/operations/dead-letters.ts',
        rule: 'the events runtime layer may not import the operations layer above it',
      },
    ]);
  });
});
