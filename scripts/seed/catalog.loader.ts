import { DOG_AND_CAT_PRODUCTS } from './catalog-products-dogs-cats.js';
import { OTHER_PRODUCTS } from './catalog-products-others.js';
import { TAXONOMY } from './catalog-taxonomy.js';
import { GENERATED_MARKER, importGenerated } from './generated-products.js';
import { query } from './seed.api.js';
import type { SeedContext } from './seed.context.js';

interface CategoryNode {
  id: number;
  name: string;
  parent_id: number | null;
  children: CategoryNode[];
}

interface ProductRow {
  id: number;
  name: string;
  category: number;
}

interface Page<T> {
  count: number;
  results: T[];
}

const HAND_WRITTEN = { ...DOG_AND_CAT_PRODUCTS, ...OTHER_PRODUCTS };

function flatten(nodes: CategoryNode[]): CategoryNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}

/**
 * The taxonomy: a category is there already when one of that name is (names are unique across the
 * whole taxonomy, ignoring case) — a hand-made one is reused, wherever it sits. Answers the id of
 * every category of the taxonomy, by name.
 */
async function ensureCategories(context: SeedContext): Promise<Map<string, number>> {
  const { api, staffToken } = context;
  const existing = new Map(
    flatten(await api.get<CategoryNode[]>('/api/categories/tree')).map((node) => [
      node.name.toLowerCase(),
      node,
    ]),
  );
  const wanted = TAXONOMY.flatMap((top) => [
    { name: top.name, description: top.description, parent: null as string | null },
    ...top.leaves.map((leaf) => ({ name: leaf.name, description: leaf.description, parent: top.name })),
  ]);
  const ids = new Map<string, number>();
  const phase = context.progress.phase('categories', wanted.length, 'categories');
  let added = 0;
  const elsewhere: string[] = [];
  for (const category of wanted) {
    const parentId = category.parent === null ? null : ids.get(category.parent)!;
    const found = existing.get(category.name.toLowerCase());
    if (found) {
      ids.set(category.name, found.id);
      if (found.parent_id !== parentId) elsewhere.push(found.name);
    } else {
      const body = { name: category.name, description: category.description, parent_id: parentId };
      ids.set(category.name, (await api.post<{ id: number }>('/api/categories', body, staffToken)).id);
      added++;
    }
    phase.advance();
  }
  phase.finish();
  context.report(`categories: ${added} added, ${wanted.length - added} already there`);
  if (elsewhere.length > 0)
    context.report(`  kept where they are (under another parent than the seed's): ${elsewhere.join(', ')}`);
  return ids;
}

/** The hand-written products: one is there already when its category holds a product of that name. */
async function ensureProducts(context: SeedContext, ids: Map<string, number>): Promise<void> {
  const { api, staffToken } = context;
  const leaves = TAXONOMY.flatMap((top) => top.leaves);
  const total = leaves.reduce((sum, leaf) => sum + (HAND_WRITTEN[leaf.name]?.length ?? 0), 0);
  const phase = context.progress.phase('products', total, 'products');
  let added = 0;
  for (const leaf of leaves) {
    const category = ids.get(leaf.name)!;
    for (const product of HAND_WRITTEN[leaf.name] ?? []) {
      const page = await api.get<Page<ProductRow>>(
        `/api/products${query({ category, search: product.name, limit: 100 })}`,
      );
      const there = page.results.some((row) => row.category === category && row.name === product.name);
      if (!there) {
        await api.post('/api/products', { ...product, category, animal_type: leaf.animal }, staffToken);
        added++;
      }
      phase.advance();
    }
  }
  phase.finish();
  context.report(`products: ${added} added, ${total - added} already there`);
}

/** `--products N`: the catalog holds at least N generated products; only the difference is made. */
async function ensureGenerated(
  context: SeedContext,
  ids: Map<string, number>,
  wanted: number,
): Promise<void> {
  const { count: have } = await context.api.get<Page<ProductRow>>(
    `/api/products${query({ search: GENERATED_MARKER, limit: 1 })}`,
  );
  const missing = Math.max(0, wanted - have);
  if (missing > 0) {
    // Delivery waits while the batches are written, so that both do not fight for the same CPU.
    await context.deliver();
    const { relay } = context.app.platform.events;
    await relay.pause();
    try {
      await importGenerated(context, ids, have, missing);
    } finally {
      relay.start();
    }
    if (context.wait) await context.deliver();
  }
  context.report(
    `generated products: ${missing} added, ${have} already there (asked for at least ${wanted})`,
  );
}

export async function loadCatalog(context: SeedContext, generated: number): Promise<void> {
  const ids = await ensureCategories(context);
  // The products module files products only under categories it has heard of (their events).
  await context.deliver();
  await ensureProducts(context, ids);
  if (generated > 0) await ensureGenerated(context, ids, generated);
}
