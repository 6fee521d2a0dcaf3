/**
 * The ceiling: the least work that answers the catalog requests the bench sends
 * (`GET /api/products` with `category`, `animalType`, `search`, `ordering`, `page`, `limit`;
 * `GET /api/products/:id`) with the same JSON as the app, over the same tables. The app is
 * measured as a ratio of it, so every shortcut a hand-written server could take is taken here:
 *
 * - No hooks, no plugins, no error mapping: Fastify's router, its query and response schemas
 *   (fast-json-stringify: the quickest way to the same bytes) and plain SQL prepared by postgres.js.
 * - The category tree is read once at start from `products.category_refs` (the bench catalogue
 *   does not change during a run) and kept in memory: a filtered page resolves the category and its
 *   sub-categories without a query (no recursive CTE per request), and the category names come
 *   from the same map, so no query joins `category_refs`. Deleted categories are kept in the map
 *   as the app's subtree and join keep them.
 * - A page and its count are sent together: both statements go down the same connection at once
 *   (postgres.js pipelines them), one round trip, on one of several single-connection clients.
 * - The count comes from the per-category tally (`products.product_counts`, kept exact by
 *   triggers) when the schema has one and no search is asked, as the app counts: a sum over a
 *   few rows is less work than `COUNT(*)` over the matching products. Search counts the rows.
 *
 * Honesty: before anything is measured the harness asks both servers the same paths and demands
 * byte-identical answers (`assertSameJson` in catalog-scenarios.ts), so the ceiling cannot win by
 * answering less.
 */
import Fastify from 'fastify';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 3901);
const poolSize = Number(process.env.CEILING_POOL_SIZE ?? 10);

/** Several single-connection clients, each request sent to the least busy (README, Design notes: postgres.js pool). */
const clients = Array.from({ length: poolSize }, () =>
  postgres(url, { max: 1, idle_timeout: 0, onnotice: () => {}, connection: { application_name: 'ceiling' } }),
);
const busy = clients.map(() => 0);

async function withClient<T>(run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  let index = 0;
  for (let i = 1; i < busy.length; i++) if (busy[i]! < busy[index]!) index = i;
  busy[index]!++;
  try {
    return await run(clients[index]!);
  } finally {
    busy[index]!--;
  }
}

const ORDER_BY: Record<string, string> = {
  price: 'p.price_cents asc, p.id asc',
  '-price': 'p.price_cents desc, p.id desc',
  name: 'p.name asc, p.id asc',
  '-name': 'p.name desc, p.id desc',
  created_at: 'p.created_at asc, p.id asc',
  '-created_at': 'p.created_at desc, p.id desc',
  rating: 'p.rating_avg asc nulls last, p.id asc',
  '-rating': 'p.rating_avg desc nulls last, p.id desc',
};

const Product = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    price: { type: 'string' },
    category: { type: 'integer' },
    category_name: { type: ['string', 'null'] },
    animal_type: { type: 'string' },
    stock: { type: 'integer' },
    specifications: { type: 'object', additionalProperties: true },
    rating_avg: { type: ['number', 'null'] },
    rating_count: { type: 'integer' },
    created_at: { type: 'string' },
    updated_at: { type: 'string' },
  },
} as const;

const Page = {
  type: 'object',
  properties: {
    count: { type: 'integer' },
    next: { type: ['string', 'null'] },
    previous: { type: ['string', 'null'] },
    results: { type: 'array', items: Product },
  },
} as const;

const ListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: { type: 'integer', minimum: 1 },
    limit: { type: 'integer', minimum: 1 },
    category: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    animalType: { type: 'string', enum: ['dog', 'cat', 'bird', 'fish', 'small_pet', 'other'] },
    search: { type: 'string', maxLength: 100 },
    ordering: { type: 'string', enum: Object.keys(ORDER_BY) },
  },
} as const;

interface ListQuery {
  page?: number;
  limit?: number;
  category?: number;
  animalType?: string;
  search?: string;
  ordering?: string;
}

interface Row {
  id: number;
  name: string;
  description: string;
  price_cents: string;
  category_id: number;
  animal_type: string;
  stock: number;
  specifications: Record<string, unknown>;
  rating_avg: number | null;
  rating_count: number;
  created_at: Date;
  updated_at: Date;
}

interface CategoryRef {
  id: number;
  name: string;
  parent_id: number | null;
}

/** The category tree, read once: names by id, and the children of each category. */
const refs = await clients[0]!<CategoryRef[]>`select id, name, parent_id from products.category_refs`;
const categoryNames = new Map(refs.map((ref) => [ref.id, ref.name]));
const children = new Map<number, number[]>();
for (const ref of refs) {
  if (ref.parent_id === null) continue;
  const siblings = children.get(ref.parent_id) ?? [];
  siblings.push(ref.id);
  children.set(ref.parent_id, siblings);
}

/** The category and every one below it, as the app's category tree finds them (a cycle stops). */
function subtree(id: number): number[] {
  if (!categoryNames.has(id)) return [];
  const found = new Set([id]);
  const waiting = [id];
  while (waiting.length > 0) {
    for (const child of children.get(waiting.pop()!) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        waiting.push(child);
      }
    }
  }
  return [...found];
}

function present(row: Row) {
  const cents = Number(row.price_cents);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
    category: row.category_id,
    category_name: categoryNames.get(row.category_id) ?? null,
    animal_type: row.animal_type,
    stock: row.stock,
    specifications: row.specifications,
    rating_avg: row.rating_avg,
    rating_count: row.rating_count,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const COLUMNS = `p.id, p.name, p.description, p.price_cents, p.category_id, p.animal_type, p.stock,
  p.specifications, p.rating_avg::float8 as rating_avg, p.rating_count, p.created_at, p.updated_at`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * Counts as the app counts them: from the per-category tally when the schema has one (exact, kept
 * by triggers), else by counting the rows.
 */
const [counts] = await clients[0]!`select to_regclass('products.product_counts') is not null as present`;
const tally = counts!.present === true;

/** The page and its count, both sent at once down one connection. */
function pageAndCount(sql: postgres.Sql, query: ListQuery, limit: number, offset: number) {
  const categories = query.category === undefined ? undefined : subtree(query.category);
  const search = query.search?.trim();
  const pattern = search ? `%${escapeLike(search)}%` : undefined;
  const inCategories = (column: string) =>
    categories === undefined ? sql`` : sql`and ${sql.unsafe(column)} = any(${categories}::int[])`;
  const ofAnimal = (column: string) =>
    query.animalType ? sql`and ${sql.unsafe(column)} = ${query.animalType}` : sql``;
  const matching =
    pattern === undefined ? sql`` : sql`and (p.name ilike ${pattern} or p.description ilike ${pattern})`;
  const where = sql`p.deleted_at is null ${inCategories('p.category_id')} ${ofAnimal('p.animal_type')} ${matching}`;
  const order = ORDER_BY[query.ordering ?? '-created_at']!;
  const page = sql<Row[]>`select ${sql.unsafe(COLUMNS)} from products.products p
    where ${where} order by ${sql.unsafe(order)} limit ${limit} offset ${offset}`;
  const count =
    tally && pattern === undefined
      ? sql<{ n: number }[]>`select coalesce(sum(live), 0)::int as n from products.product_counts
          where true ${inCategories('category_id')} ${ofAnimal('animal_type')}`
      : sql<{ n: number }[]>`select count(*)::int as n from products.products p where ${where}`;
  return Promise.all([page, count]);
}

const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });

app.get<{ Querystring: ListQuery }>(
  '/api/products',
  { schema: { querystring: ListQuery, response: { 200: Page } } },
  async (request) => {
    const query = request.query;
    const page = query.page ?? 1;
    const limit = Math.min(query.limit ?? 20, 100);
    const [rows, [counted]] = await withClient((sql) => pageAndCount(sql, query, limit, (page - 1) * limit));
    const count = counted!.n;
    const link = (target: number) => {
      const next = new URL(request.url, `${request.protocol}://${request.host}`);
      next.searchParams.set('page', String(target));
      next.searchParams.set('limit', String(limit));
      return next.toString();
    };
    const lastPage = Math.max(1, Math.ceil(count / limit));
    return {
      count,
      next: page < lastPage ? link(page + 1) : null,
      previous: page > 1 ? link(Math.min(page - 1, lastPage)) : null,
      results: rows.map(present),
    };
  },
);

app.get<{ Params: { id: number } }>(
  '/api/products/:id',
  {
    schema: {
      params: {
        type: 'object',
        properties: { id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 } },
        required: ['id'],
      },
      response: { 200: Product },
    },
  },
  async (request, reply) => {
    const [row] = await withClient(
      (sql) => sql<Row[]>`select ${sql.unsafe(COLUMNS)} from products.products p
        where p.id = ${request.params.id} and p.deleted_at is null`,
    );
    if (!row) return reply.status(404).send({ status: 404, title: 'Not Found' });
    return present(row);
  },
);

app.get('/health/ready', async () => {
  await withClient((sql) => sql`select 1`);
  return { status: 'ok' };
});

async function shutdown(): Promise<void> {
  await app.close();
  await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());

await app.listen({ port, host: process.env.HOST ?? '127.0.0.1' });
