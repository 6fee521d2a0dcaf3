/**
 * The raw ceiling: a minimal hand-written Fastify + postgres.js server answering the catalog
 * requests the bench sends (`GET /api/products` with `category`, `animalType`, `search`,
 * `ordering`, `page`, `limit`; `GET /api/products/:id`) with the same JSON as the app, over the
 * same tables. Plain SQL (prepared by postgres.js), response schemas, no framework of our own:
 * the best this stack can do, so that the app is measured as a ratio of it.
 */
import Fastify from 'fastify';
import postgres from 'postgres';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is required');
const port = Number(process.env.PORT ?? 3901);
const poolSize = Number(process.env.CEILING_POOL_SIZE ?? 10);

/** Several single-connection clients, each query sent to the least busy (README, Design notes: postgres.js pool). */
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
  category_name: string | null;
  animal_type: string;
  stock: number;
  specifications: Record<string, unknown>;
  rating_avg: number | null;
  rating_count: number;
  created_at: Date;
  updated_at: Date;
}

function present(row: Row) {
  const cents = Number(row.price_cents);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
    category: row.category_id,
    category_name: row.category_name,
    animal_type: row.animal_type,
    stock: row.stock,
    specifications: row.specifications,
    rating_avg: row.rating_avg,
    rating_count: row.rating_count,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

const COLUMNS = `p.id, p.name, p.description, p.price_cents, p.category_id, c.name as category_name,
  p.animal_type, p.stock, p.specifications, p.rating_avg::float8 as rating_avg, p.rating_count,
  p.created_at, p.updated_at`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The CTE prefix and the WHERE conditions of a listing, as postgres.js fragments. */
function filters(sql: postgres.Sql, query: ListQuery) {
  const subtree =
    query.category === undefined
      ? sql``
      : sql`with recursive subtree(id) as (
              select id from products.category_refs where id = ${query.category}
              union
              select c.id from products.category_refs c join subtree s on c.parent_id = s.id) `;
  let where = sql`p.deleted_at is null`;
  if (query.category !== undefined) where = sql`${where} and p.category_id in (select id from subtree)`;
  if (query.animalType) where = sql`${where} and p.animal_type = ${query.animalType}`;
  const search = query.search?.trim();
  if (search) {
    const pattern = `%${escapeLike(search)}%`;
    where = sql`${where} and (p.name ilike ${pattern} or p.description ilike ${pattern})`;
  }
  return { subtree, where };
}

/**
 * Counts as the app counts them: from the per-category tally when the schema has one (exact, kept
 * by triggers), else by counting the rows.
 */
const [counts] = await clients[0]!`select to_regclass('products.product_counts') is not null as present`;
const tally = counts!.present === true;

const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });

app.get<{ Querystring: ListQuery }>(
  '/api/products',
  { schema: { querystring: ListQuery, response: { 200: Page } } },
  async (request) => {
    const query = request.query;
    const page = query.page ?? 1;
    const limit = Math.min(query.limit ?? 20, 100);
    const order = ORDER_BY[query.ordering ?? '-created_at']!;
    const [count, rows] = await Promise.all([
      withClient(async (sql) => {
        const { subtree, where } = filters(sql, query);
        const [row] =
          tally && !query.search?.trim()
            ? await sql`${subtree} select coalesce(sum(live), 0)::int as n from products.product_counts
                where ${query.category === undefined ? sql`true` : sql`category_id in (select id from subtree)`}
                  and ${query.animalType ? sql`animal_type = ${query.animalType}` : sql`true`}`
            : await sql`${subtree} select count(*)::int as n from products.products p where ${where}`;
        return row!.n as number;
      }),
      withClient(async (sql) => {
        const { subtree, where } = filters(sql, query);
        return sql<Row[]>`${subtree} select ${sql.unsafe(COLUMNS)}
          from products.products p left join products.category_refs c on c.id = p.category_id
          where ${where} order by ${sql.unsafe(order)} limit ${limit} offset ${(page - 1) * limit}`;
      }),
    ]);
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
      (sql) => sql<Row[]>`select ${sql.unsafe(COLUMNS)}
        from products.products p left join products.category_refs c on c.id = p.category_id
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
