import type { ImportEdge, ImportGraph } from './import-graph.js';

/** Files that reach each other through their imports: none of them can be read, moved or tested alone. */
export interface ImportCycle {
  /** The whole knot (a strongly connected component of the import graph), sorted. */
  files: string[];
  /**
   * One shortest loop through its first file, as a reader would follow it:
   * `a.ts -> b.ts -(type)-> a.ts`, where `-(type)->` marks an edge that carries only types.
   */
  loop: string;
}

function adjacency(graph: ImportGraph): Map<string, ImportEdge[]> {
  const out = new Map<string, ImportEdge[]>(graph.files.map((file) => [file, []]));
  for (const edge of graph.edges) out.get(edge.from)?.push(edge);
  for (const edges of out.values()) edges.sort((a, b) => a.to.localeCompare(b.to));
  return out;
}

/** Tarjan's strongly connected components, iteratively (a deep import chain must not overflow the stack). */
function components(files: readonly string[], out: Map<string, ImportEdge[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  for (const start of files) {
    if (index.has(start)) continue;
    const work: Array<{ file: string; next: number }> = [{ file: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = out.get(frame.file) ?? [];
      if (frame.next < edges.length) {
        const target = edges[frame.next++]!.to;
        if (!index.has(target)) {
          index.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ file: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.file, Math.min(low.get(frame.file)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.file, Math.min(low.get(parent.file)!, low.get(frame.file)!));
      if (low.get(frame.file) !== index.get(frame.file)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.file);
      found.push(component);
    }
  }
  return found;
}

/** Breadth first from `start` back to itself, inside the knot: the shortest loop, edges named. */
function shortestLoop(start: string, members: ReadonlySet<string>, out: Map<string, ImportEdge[]>): string {
  const reachedBy = new Map<string, ImportEdge>();
  const queue = [start];
  search: while (queue.length > 0) {
    const file = queue.shift()!;
    for (const edge of out.get(file) ?? []) {
      if (!members.has(edge.to) || reachedBy.has(edge.to)) continue;
      reachedBy.set(edge.to, edge);
      if (edge.to === start) break search;
      queue.push(edge.to);
    }
  }
  const path: ImportEdge[] = [];
  let at = start;
  do {
    const edge = reachedBy.get(at)!;
    path.unshift(edge);
    at = edge.from;
  } while (at !== start);
  return [start, ...path.map((edge) => `${edge.typeOnly ? '-(type)->' : '->'} ${edge.to}`)].join(' ');
}

/**
 * Every import cycle of the graph, `import type` edges included: a type-only cycle is still two
 * files that cannot be understood or moved apart (issue 17 counted database.ts ↔ session.ts, whose
 * one direction was `import type`). Self-imports count too.
 */
export function importCycles(graph: ImportGraph): ImportCycle[] {
  const out = adjacency(graph);
  return components(graph.files, out)
    .filter(
      (component) =>
        component.length > 1 || (out.get(component[0]!) ?? []).some((edge) => edge.to === component[0]),
    )
    .map((component) => {
      const files = [...component].sort();
      return { files, loop: shortestLoop(files[0]!, new Set(files), out) };
    })
    .sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}
