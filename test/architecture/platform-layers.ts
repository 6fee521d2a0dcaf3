import type { ImportGraph } from './import-graph.js';

export interface Layer {
  name: string;
  /** Files, or folders ending in `/`, below the root. */
  paths: readonly string[];
}

/**
 * `src/platform` from the bottom up. A file may import its own layer and the layers below it, never
 * one above: the database knows nothing of events, the events runtime nothing of HTTP or of the
 * operator's tools, which sit on top of all three (docs/platform-guide.md, "Layers"). Files listed
 * in no layer are not held to one.
 */
export const PLATFORM_LAYERS: readonly Layer[] = [
  {
    name: 'foundation',
    paths: [
      'src/platform/config.ts',
      'src/platform/backoff.ts',
      'src/platform/money.ts',
      'src/platform/periodic-task.ts',
    ],
  },
  { name: 'database', paths: ['src/platform/db/'] },
  { name: 'events runtime', paths: ['src/platform/events/', 'src/platform/module.ts'] },
  { name: 'mail', paths: ['src/platform/mail/'] },
  { name: 'http', paths: ['src/platform/http/'] },
  { name: 'operations', paths: ['src/platform/operations/'] },
  { name: 'composition', paths: ['src/platform/platform.ts'] },
];

export interface LayerViolation {
  file: string;
  imports: string;
  rule: string;
}

function layerOf(file: string, layers: readonly Layer[]): number | undefined {
  const index = layers.findIndex((layer) =>
    layer.paths.some((path) => (path.endsWith('/') ? file.startsWith(path) : file === path)),
  );
  return index === -1 ? undefined : index;
}

/** Every import from a layer into a higher one (`import type` too: a type is knowledge of the layer above). */
export function layerViolations(
  graph: ImportGraph,
  layers: readonly Layer[] = PLATFORM_LAYERS,
): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const edge of graph.edges) {
    const from = layerOf(edge.from, layers);
    const to = layerOf(edge.to, layers);
    if (from === undefined || to === undefined || to <= from) continue;
    violations.push({
      file: edge.from,
      imports: edge.to,
      rule: `the ${layers[from]!.name} layer may not import the ${layers[to]!.name} layer above it`,
    });
  }
  return violations;
}
