import type { Database, Executor } from '../../platform/db/database.js';
import { recordEvents } from '../../platform/events/outbox.js';
import type { PageWindow } from '../../platform/http/paging.js';
import * as categories from './category-refs.repository.js';
import { CategoryTree } from './category-tree.js';
import { ProductEvent } from './contract.js';
import type { Ordering } from './ordering.js';
import type { ProductFilters } from './product-search.repository.js';
import * as search from './product-search.repository.js';
import * as views from './product-view.repository.js';
import {
  InsufficientStockError,
  ProductNotFoundError,
  StockTooHighError,
  UnknownCategoryError,
} from './products.errors.js';
import { productDeleted, productRevised } from './products.events.js';
import type { NewProduct, Product, ProductRow } from './products.repository.js';
import * as repository from './products.repository.js';

export type ProductInput = Omit<NewProduct, 'stock' | 'specifications'> &
  Partial<Pick<NewProduct, 'stock' | 'specifications'>>;

/** Reads of the category tree before the listing reads it again. */
const TREE_TRIES = 3;

/**
 * How long a product's detail names its category from a tree without checking it against
 * `category_refs`: a rename shows there at most this long after its event was applied, by this
 * replica's consumer or another's (the listing checks on every page, and a check that finds the
 * tree current starts the window again).
 */
export const DETAIL_TREE_TRUST_MS = 200;

/** Which read of the tree each tree came from, so that only the stale one is forgotten. */
const treeRead = new WeakMap<CategoryTree, Promise<CategoryTree>>();

export interface ProductQuery extends Omit<ProductFilters, 'categoryIds'> {
  /** A category id: the listing holds its products and those of every sub-category. */
  category?: number | undefined;
  ordering: Ordering;
}

/** The catalog's use cases; every change writes its `product_events` in the same transaction. */
export class ProductsService {
  private tree: Promise<CategoryTree> | undefined;
  /** The tree `tree` resolved to, once it has (until it is forgotten). */
  private readTree: CategoryTree | undefined;

  constructor(private readonly database: Database) {}

  /**
   * The page and its count in one round trip. The category tree kept in memory gives a category
   * filter its subtree and the rows their category names, and the count's statement reads the
   * tree's stamp: when another process (or this one's consumer) has changed `category_refs` since
   * the tree was read, the tree is read again and the page asked again. So every process answers
   * from the read model as the database holds it, although only one replica consumes a given
   * category event.
   */
  async list(query: ProductQuery, window: PageWindow): Promise<{ count: number; rows: views.ProductView[] }> {
    const { category, ordering, ...filters } = query;
    for (let attempt = 1; ; attempt++) {
      const tree = await this.categoryTree();
      const subtree = category === undefined ? {} : { categoryIds: tree.subtree(category) };
      const page = await this.page({ ...filters, ...subtree }, ordering, window, tree);
      // Past a few tries (categories changing all the time) the last answer stands: it comes from
      // a tree read moments before, as any read of an eventually consistent read model may.
      if (tree.confirms(page.stamp) || attempt === TREE_TRIES) return page;
      this.forgetTree(tree);
    }
  }

  /** Count and rows down one connection, sent together (postgres.js pipelines them): one round trip. */
  private async page(filters: ProductFilters, ordering: Ordering, window: PageWindow, tree: CategoryTree) {
    const db = this.database.db;
    const [counted, rows] = await Promise.all([
      search.countProducts(db, filters),
      search.listProducts(db, filters, ordering, window, (id) => tree.nameOf(id)),
    ]);
    return { count: counted.n, stamp: counted.stamp, rows };
  }

  /** Drops `tree` as stale, unless a newer read has already replaced it. */
  private forgetTree(tree: CategoryTree): void {
    if (this.tree === treeRead.get(tree)) this.tree = undefined;
    if (this.readTree === tree) this.readTree = undefined;
  }

  private categoryTree(): Promise<CategoryTree> {
    if (this.tree) return this.tree;
    const read: Promise<CategoryTree> = categories.categoryLinks(this.database.db).then(
      (links) => {
        const tree = new CategoryTree(links);
        treeRead.set(tree, read);
        if (this.tree === read) this.readTree = tree;
        return tree;
      },
      (error: unknown) => {
        if (this.tree === read) this.tree = undefined;
        throw error;
      },
    );
    this.tree = read;
    return read;
  }

  /**
   * The product as the API shows it: one statement for the row, its category's name from the
   * tree. When the tree has not been checked for `DETAIL_TREE_TRUST_MS`, the statement also reads
   * the stamp of `category_refs`, and the tree is read again first when the stamps differ (as
   * `list` does); within the window the row is read alone, a fifth less work for PostgreSQL, and
   * the tree is read again only for a category it does not know (one created since).
   */
  async get(id: number): Promise<views.ProductView> {
    // The tree already read, without a turn of the microtask queue for awaiting its read again.
    const tree = this.readTree ?? (await this.categoryTree());
    const checked = tree.checkedWithin(DETAIL_TREE_TRUST_MS);
    const row = found(id, await views.findProductRow(this.database.db, id, !checked));
    const current = checked ? tree.knows(row.category_id) : tree.confirms(row.stamp!);
    if (current) return views.viewOf(row, tree.nameOf(row.category_id));
    this.forgetTree(tree);
    const fresh = await this.categoryTree();
    return views.viewOf(row, fresh.nameOf(row.category_id));
  }

  async create(input: ProductInput): Promise<Product> {
    return this.database.transaction(async (tx) => {
      await assertCategoryKnown(tx, input.categoryId);
      const product = await repository.insertProduct(tx, {
        ...input,
        stock: input.stock ?? 0,
        specifications: input.specifications ?? {},
      });
      await recordEvents(tx, [productRevised(ProductEvent.created, product)]);
      return found(product.id, await repository.findProduct(tx, product.id));
    });
  }

  /** PUT: the description of the product is replaced; stock changes only when given. */
  async replace(id: number, input: ProductInput): Promise<Product> {
    return this.update(id, { ...input, specifications: input.specifications ?? {} });
  }

  /** PATCH: only the given fields change; a change that changes nothing publishes nothing. */
  async update(id: number, change: Partial<ProductInput>): Promise<Product> {
    return this.database.transaction(async (tx) => {
      const current = found(id, await repository.lockProduct(tx, id));
      const next: NewProduct = { ...pickProduct(current), ...definedOnly(change) };
      if (next.categoryId !== current.categoryId) await assertCategoryKnown(tx, next.categoryId);
      if (sameProduct(current, next)) return found(id, await repository.findProduct(tx, id));
      const product = await repository.updateProduct(tx, id, { ...next, version: current.version + 1 });
      await recordEvents(tx, [productRevised(ProductEvent.updated, product)]);
      return found(id, await repository.findProduct(tx, id));
    });
  }

  /**
   * Bulk load (seeding, imports): one transaction for the batch, one `product.created` per product
   * in it, so read models end up exactly as if each had been created on its own.
   */
  async importMany(inputs: ProductInput[]): Promise<number> {
    if (inputs.length === 0) return 0;
    return this.database.transaction(async (tx) => {
      const known = new Set(await categories.liveCategoryIds(tx));
      const unknown = inputs.find((input) => !known.has(input.categoryId));
      if (unknown) throw new UnknownCategoryError(unknown.categoryId);
      const rows = await repository.insertProducts(
        tx,
        inputs.map((input) => ({
          ...input,
          stock: input.stock ?? 0,
          specifications: input.specifications ?? {},
        })),
      );
      await recordEvents(
        tx,
        rows.map((row) => productRevised(ProductEvent.created, row)),
      );
      return rows.length;
    });
  }

  /** The categories this module has heard of and may file products under. */
  async knownCategoryIds(): Promise<number[]> {
    return categories.liveCategoryIds(this.database.db);
  }

  /** A soft delete: the row stays as a tombstone with its last version. */
  async remove(id: number): Promise<void> {
    await this.database.transaction(async (tx) => {
      const current = found(id, await repository.lockProduct(tx, id));
      await repository.markDeleted(tx, id, current.version + 1);
      await recordEvents(tx, [productDeleted(id, current.version + 1)]);
    });
  }

  /** One conditional UPDATE: concurrent adjustments and reservations can never take stock below 0. */
  async adjustStock(id: number, delta: number): Promise<Product> {
    if (delta === 0) return found(id, await repository.findProduct(this.database.db, id));
    return this.database.transaction(async (tx) => {
      const product = await repository.changeStock(tx, id, delta);
      if (!product) {
        const current = found(id, await repository.findProduct(tx, id));
        if (delta < 0) throw new InsufficientStockError(id, current.stock, delta);
        throw new StockTooHighError(id, current.stock, delta);
      }
      await recordEvents(tx, [productRevised(ProductEvent.updated, product)]);
      return found(id, await repository.findProduct(tx, id));
    });
  }
}

function found<T>(id: number, product: T | undefined): T {
  if (!product) throw new ProductNotFoundError(id);
  return product;
}

async function assertCategoryKnown(tx: Executor, categoryId: number): Promise<void> {
  if (!(await categories.isLiveCategory(tx, categoryId))) throw new UnknownCategoryError(categoryId);
}

function pickProduct(product: ProductRow): NewProduct {
  const { name, description, priceCents, categoryId, animalType, stock, specifications } = product;
  return { name, description, priceCents, categoryId, animalType, stock, specifications };
}

function sameProduct(current: ProductRow, next: NewProduct): boolean {
  const before = pickProduct(current);
  return (Object.keys(next) as (keyof NewProduct)[]).every(
    (key) => JSON.stringify(before[key]) === JSON.stringify(next[key]),
  );
}

function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}
