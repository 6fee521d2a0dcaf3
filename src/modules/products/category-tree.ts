import type { CategoryLink } from './category-refs.repository.js';

/**
 * The products module's category tree, as `category_refs` held it when it was read, and the
 * stamp of that read (`categoriesStamp`). The listing resolves a category's subtree here, without
 * a query, and checks the stamp in the same round trip as its page (see `ProductsService.list`).
 */
export class CategoryTree {
  readonly stamp: number;
  private readonly known = new Set<number>();
  private readonly children = new Map<number, number[]>();

  constructor(links: readonly CategoryLink[]) {
    let stamp = 0;
    for (const link of links) {
      stamp += link.version;
      this.known.add(link.id);
      if (link.parentId === null) continue;
      const siblings = this.children.get(link.parentId);
      if (siblings) siblings.push(link.id);
      else this.children.set(link.parentId, [link.id]);
    }
    this.stamp = stamp;
  }

  /** The category and every one below it, however deep, in no order (a transient cycle stops); [] if unknown. */
  subtree(id: number): number[] {
    if (!this.known.has(id)) return [];
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
