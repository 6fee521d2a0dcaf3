import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import type { PageWindow } from '../../platform/http/paging.js';
import {
  CategoryCycleError,
  CategoryHasChildrenError,
  CategoryHasProductsError,
  CategoryNotFoundError,
  DuplicateCategoryNameError,
  UnknownParentError,
} from './categories.errors.js';
import { categoryDeleted, categoryRevised } from './categories.events.js';
import type { Category, ParentFilter } from './categories.repository.js';
import * as repository from './categories.repository.js';
import { firstFreeSlug, slugify } from './category-slug.js';
import { CategoryEvent } from './contract.js';

export interface CategoryInput {
  name: string;
  description?: string | undefined;
  parentId?: number | null | undefined;
}

export type CategoryNode = Category & { children: CategoryNode[] };

/** The taxonomy's use cases. Writes are serialised by one advisory lock: admin edits are rare. */
export class CategoriesService {
  constructor(private readonly database: Database) {}

  async list(parent: ParentFilter, window: PageWindow): Promise<{ count: number; rows: Category[] }> {
    const [count, rows] = await Promise.all([
      repository.countCategories(this.database.db, parent),
      repository.listCategories(this.database.db, parent, window),
    ]);
    return { count, rows };
  }

  async tree(): Promise<CategoryNode[]> {
    return nest(await repository.allCategories(this.database.db));
  }

  async get(id: number): Promise<Category> {
    return found(id, await repository.findCategory(this.database.db, id));
  }

  async create(input: CategoryInput): Promise<Category> {
    return this.database.transaction(async (tx) => {
      await repository.lockTaxonomy(tx);
      const name = input.name.trim();
      await assertNameFree(tx, name);
      if (input.parentId != null) await assertParentExists(tx, input.parentId);
      const slug = firstFreeSlug(slugify(name), await repository.slugsLike(tx, slugify(name)));
      const category = await repository.insertCategory(tx, {
        name,
        slug,
        description: input.description ?? '',
        parentId: input.parentId ?? null,
      });
      await recordEvents(tx, [categoryRevised(CategoryEvent.created, category)]);
      return category;
    });
  }

  /** PUT: every field is given; a missing description or parent resets it. */
  async replace(id: number, input: CategoryInput): Promise<Category> {
    return this.update(id, { description: '', parentId: null, ...definedOnly(input) });
  }

  /** PATCH: only the given fields change. The slug stays as it was first made (stable links). */
  async update(id: number, change: Partial<CategoryInput>): Promise<Category> {
    return this.database.transaction(async (tx) => {
      await repository.lockTaxonomy(tx);
      const current = found(id, await repository.findCategory(tx, id));
      const next = {
        name: change.name?.trim() ?? current.name,
        description: change.description ?? current.description,
        parentId: change.parentId === undefined ? current.parentId : change.parentId,
      };
      if (next.name !== current.name) await assertNameFree(tx, next.name, id);
      if (next.parentId !== null && next.parentId !== current.parentId) {
        await assertParentExists(tx, next.parentId);
        if ((await repository.lineageOf(tx, next.parentId)).includes(id))
          throw new CategoryCycleError(id, next.parentId);
      }
      if (unchanged(current, next)) return current;
      const category = await repository.updateCategory(tx, id, { ...next, version: current.version + 1 });
      await recordEvents(tx, [categoryRevised(CategoryEvent.updated, category)]);
      return category;
    });
  }

  async remove(id: number): Promise<void> {
    await this.database.transaction(async (tx) => {
      await repository.lockTaxonomy(tx);
      const current = found(id, await repository.findCategory(tx, id));
      if (current.productCount > 0) throw new CategoryHasProductsError(id, current.productCount);
      if (await repository.hasChildren(tx, id)) throw new CategoryHasChildrenError(id);
      await repository.deleteCategory(tx, id);
      await recordEvents(tx, [categoryDeleted(current)]);
    });
  }
}

function found(id: number, category: Category | undefined): Category {
  if (!category) throw new CategoryNotFoundError(id);
  return category;
}

async function assertNameFree(tx: Executor, name: string, exceptId?: number): Promise<void> {
  if (await repository.nameTaken(tx, name, exceptId)) throw new DuplicateCategoryNameError(name);
}

async function assertParentExists(tx: Executor, parentId: number): Promise<void> {
  if (!(await repository.findCategory(tx, parentId))) throw new UnknownParentError(parentId);
}

function unchanged(current: Category, next: Pick<Category, 'name' | 'description' | 'parentId'>): boolean {
  return (
    current.name === next.name &&
    current.description === next.description &&
    current.parentId === next.parentId
  );
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Flat rows (ordered by name) into a forest; each level keeps that order. */
function nest(rows: Category[]): CategoryNode[] {
  const nodes = new Map(rows.map((row) => [row.id, { ...row, children: [] as CategoryNode[] }]));
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}
