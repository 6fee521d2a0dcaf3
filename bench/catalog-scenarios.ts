import type { Request } from 'autocannon';
import postgres from 'postgres';

export interface CatalogScenario {
  key: string;
  title: string;
  /** What the scenario asks, for the report. */
  description: string;
  /** Paths whose JSON must be the same from the app and from the ceiling. */
  samples: string[];
  requests: Request[];
  /** The targets for this scenario. */
  minThroughputRatio: number;
  maxP99Ratio: number | null;
}

export interface CatalogTargets {
  category: { id: number; name: string; subcategories: number; products: number };
  animalType: string;
  searchTerm: string;
  searchMatches: number;
  productIds: number[];
}

/** Picks what to ask from the data itself, so the bench does not depend on the seed's vocabulary. */
export async function pickTargets(url: string): Promise<CatalogTargets> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [root] = await sql`
      with recursive tree(root, id) as (
        select id, id from products.category_refs where parent_id is null and not deleted
        union all
        select t.root, c.id from products.category_refs c join tree t on c.parent_id = t.id where not c.deleted)
      select t.root as id, r.name, count(distinct t.id)::int - 1 as subcategories, count(p.id)::int as products
      from tree t join products.category_refs r on r.id = t.root
        left join products.products p on p.category_id = t.id and p.deleted_at is null
      group by t.root, r.name
      order by (count(distinct t.id) > 1) desc, count(p.id) desc limit 1`;
    if (!root) throw new Error('the catalog has no categories');
    const [animal] = await sql`
      with recursive subtree(id) as (
        select ${root.id}::int union select c.id from products.category_refs c join subtree s on c.parent_id = s.id)
      select animal_type, count(*)::int as n from products.products
      where deleted_at is null and category_id in (select id from subtree)
      group by animal_type order by n desc limit 1`;
    const ids =
      await sql`select id from products.products where deleted_at is null order by random() limit 2000`;
    if (ids.length === 0) throw new Error('the catalog has no products');
    const search = await pickSearchTerm(sql);
    return {
      category: {
        id: root.id as number,
        name: root.name as string,
        subcategories: root.subcategories as number,
        products: root.products as number,
      },
      animalType: (animal?.animal_type as string | undefined) ?? 'dog',
      searchTerm: search.term,
      searchMatches: search.matches,
      productIds: ids.map((row) => row.id as number),
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A word of the product names that matches about 1% of the catalog (names or descriptions). */
async function pickSearchTerm(sql: postgres.Sql): Promise<{ term: string; matches: number }> {
  const names =
    await sql`select name from products.products where deleted_at is null order by random() limit 3000`;
  const frequency = new Map<string, number>();
  for (const row of names) {
    const words = new Set(
      String(row.name)
        .toLowerCase()
        .match(/\p{L}{4,}/gu) ?? [],
    );
    for (const word of words) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }
  const distance = (share: number) => Math.abs(Math.log(Math.max(share, 1e-6) / 0.01));
  const candidates = [...frequency.entries()]
    .map(([term, n]) => ({ term, share: n / names.length }))
    .sort((a, b) => distance(a.share) - distance(b.share))
    .slice(0, 8);
  const [total] = await sql`select count(*)::int as n from products.products where deleted_at is null`;
  let best = { term: candidates[0]?.term ?? 'a', matches: 0, distance: Number.POSITIVE_INFINITY };
  for (const { term } of candidates) {
    const pattern = `%${term}%`;
    const [row] = await sql`select count(*)::int as n from products.products
      where deleted_at is null and (name ilike ${pattern} or description ilike ${pattern})`;
    const matches = row!.n as number;
    const away = distance(matches / Math.max(1, total!.n as number));
    if (away < best.distance) best = { term, matches, distance: away };
  }
  return { term: best.term, matches: best.matches };
}

/** Issue 19: every catalog read at least 0.9x the minimal server's req/s, p99 at most 1.5x its p99. */
const TARGET = { throughput: 0.9, p99: 1.5 };

export function catalogScenarios(targets: CatalogTargets): CatalogScenario[] {
  const { category, animalType, searchTerm, productIds } = targets;
  const filtered = `/api/products?category=${category.id}&animalType=${animalType}&ordering=-rating`;
  const search = `/api/products?search=${encodeURIComponent(searchTerm)}`;
  const randomId = () => productIds[Math.floor(Math.random() * productIds.length)]!;
  return [
    {
      key: 'first-page',
      title: 'Catalog first page',
      description: '`GET /api/products` (20 newest, exact count)',
      samples: ['/api/products', '/api/products?page=2'],
      requests: [{ method: 'GET', path: '/api/products' }],
      minThroughputRatio: TARGET.throughput,
      maxP99Ratio: TARGET.p99,
    },
    {
      key: 'filtered',
      title: 'Filtered page',
      description: `\`GET ${filtered}\` (category "${category.name}" with ${category.subcategories} sub-categories)`,
      samples: [filtered, `${filtered}&page=3`],
      requests: [{ method: 'GET', path: filtered }],
      minThroughputRatio: TARGET.throughput,
      maxP99Ratio: TARGET.p99,
    },
    {
      key: 'search',
      title: 'Search',
      description: `\`GET ${search}\` (${targets.searchMatches} matches)`,
      samples: [search],
      requests: [{ method: 'GET', path: search }],
      minThroughputRatio: TARGET.throughput,
      maxP99Ratio: TARGET.p99,
    },
    {
      key: 'detail',
      title: 'Product detail',
      description: '`GET /api/products/:id` (random live ids)',
      samples: productIds.slice(0, 5).map((id) => `/api/products/${id}`),
      requests: [
        {
          method: 'GET',
          setupRequest: (request) => ({ ...request, path: `/api/products/${randomId()}` }),
        },
      ],
      minThroughputRatio: TARGET.throughput,
      maxP99Ratio: TARGET.p99,
    },
  ];
}

/** Both servers must answer the same bytes (links aside, which name each server's own port). */
export async function assertSameJson(
  ceilingUrl: string,
  appUrl: string,
  paths: readonly string[],
): Promise<void> {
  for (const path of paths) {
    const [ceiling, app] = await Promise.all(
      [ceilingUrl, appUrl].map(async (base) => {
        const response = await fetch(`${base}${path}`);
        const text = await response.text();
        if (response.status !== 200)
          throw new Error(`${base}${path} answered ${response.status}: ${text.slice(0, 300)}`);
        return text.replaceAll(base, 'ORIGIN');
      }),
    );
    if (ceiling !== app) {
      let at = 0;
      while (at < ceiling!.length && ceiling![at] === app![at]) at++;
      throw new Error(
        `the ceiling and the app answer ${path} differently at byte ${at}:\n` +
          `  ceiling: …${ceiling!.slice(Math.max(0, at - 60), at + 80)}\n` +
          `  app:     …${app!.slice(Math.max(0, at - 60), at + 80)}`,
      );
    }
  }
}
