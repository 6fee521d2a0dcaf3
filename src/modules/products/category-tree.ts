import type { CategoryLink } from './category-refs.repository.js';

/**
 * The products module's category tree, as `category_refs` held it when it was read, and the
 * stamp of that read (`categoriesStamp`). The listing resolves a category's subtree and its
 * products' category names here, without a query or a join, and checks the stamp in the same
 * round trip as its page (see `ProductsService.list`).
 */
export class CategoryTree {
  readonly stamp: number;
  /** When `category_refs` was last seen to hold this tree (`performance.now()`): read, or `confirms`. */
  private checkedAt = performance.now();
  private readonly names = new Map<number, string>();
  private readonly children = new Map<number, number[]>();

  constructor(links: readonly CategoryLink[]) {
    let stamp = 0;
    for (const link of links) {
      stamp += link.version;
      this.names.set(link.id, link.name);
      if (link.parentId === null) continue;
      const siblings = this.children.get(link.parentId);
      if (siblings) siblings.push(link.id);
      else this.children.set(link.parentId, [link.id]);
    }
    this.stamp = stamp;
  }

  /** Whether `stamp`, read from `category_refs` just now, is this tree's; notes the check if so. */
  confirms(stamp: number): boolean {
    if (stamp !== this.stamp) return false;
    this.checkedAt = performance.now();
    return true;
  }

  /** Whether the tree was read or confirmed within the last `withinMs`. */
  checkedWithin(withinMs: number): boolean {
    return performance.now() - this.checkedAt <= withinMs;
  }

  /** Whether `category_refs` held the category when the tree was read. */
  knows(id: number): boolean {
    return this.names.has(id);
  }

  /** The category's name as `category_refs` holds it (a left join's answer): null if unknown. */
  nameOf(id: number): string | null {
    return this.names.get(id) ?? null;
  }

  /** The category and every one below it, however deep, in no order (a transient cycle stops); [] if unknown. */
  subtree(id: number): number[] {
    if (!this.names.has(id)) return [];
    const found = new Set([id]);
    const waiting = [id];
    while (waiting.length > 0) {
      for (const child of this.children.get(waiting.pop()!) ?? []) {
        if (found.has(child)) continue;
        found.add(child);
        waiting.push(child);
      }
    }
    return [...found].sort((a, b) => a - b);
  }
}
