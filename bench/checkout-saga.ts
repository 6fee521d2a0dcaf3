import type { Request } from 'autocannon';
import postgres from 'postgres';
import { fire, percentile, summarize } from './load.js';
import type { ServerProcess } from './server-process.js';

/**
 * The bench's operator: a production start refuses weak or published admin passwords, and the
 * cached bench database keeps its first admin, so these differ from what earlier versions used.
 */
export const BENCH_ADMIN = {
  email: 'bench-operator@example.com',
  username: 'bench_operator',
  password: 'bench operator kiwi marmalade tundra',
};

const PRODUCT_PREFIX = 'Bench checkout item';
/** A few products run out during the run (orders must be rejected, never oversold); the rest do not. */
const SCARCE = { count: 4, stock: 30 };
const PLENTIFUL = { count: 12, stock: 1_000_000 };

export interface CheckoutSetup {
  tokens: string[];
  products: { id: number; stock: number }[];
}

export interface CheckoutResult {
  bus: string;
  post: { requestsPerSecond: number; p50: number; p99: number; errors: number };
  browse: { requestsPerSecond: number; p50: number; p99: number; errors: number };
  orders: { placed: number; confirmed: number; rejected: number; undecided: number };
  /** From the client's send time to the `confirmed` entry of the order's status history. */
  toConfirmed: { p50: number; p99: number };
  /** From `pending` to `confirmed` in the status history: the saga alone. */
  sagaOnly: { p50: number; p99: number };
  oversold: string[];
  peakRssMb: number;
}

async function api<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function login(base: string, credentials: Record<string, string>): Promise<string> {
  const answer = await api<{ access: string }>(base, 'POST', '/api/users/login', credentials);
  if (answer.status !== 200)
    throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body.access;
}

/** Registers (or finds) the shoppers through the API, the way a client does. */
async function shopperTokens(base: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const user = {
      username: `bench_buyer_${i}`,
      email: `bench-buyer-${i}@example.com`,
      password: `bench buyer ${i} quokka marmalade`,
    };
    const registered = await api(base, 'POST', '/api/users/register', user);
    if (registered.status !== 201 && registered.status !== 409) {
      throw new Error(`register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    }
    tokens.push(await login(base, { username: user.username, password: user.password }));
  }
  return tokens;
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Checkout products created through the admin API (so every read model hears of them), stock reset. */
export async function prepareCheckout(
  app: ServerProcess,
  url: string,
  users: number,
): Promise<CheckoutSetup> {
  const base = app.baseUrl;
  const admin = await login(base, { email: BENCH_ADMIN.email, password: BENCH_ADMIN.password });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [category] = await sql`select id from products.category_refs where not deleted order by id limit 1`;
    if (!category) throw new Error('no category to put the checkout products in');
    const wanted = [
      ...Array.from({ length: SCARCE.count }, () => SCARCE.stock),
      ...Array.from({ length: PLENTIFUL.count }, () => PLENTIFUL.stock),
    ];
    const products: { id: number; stock: number }[] = [];
    for (const [index, stock] of wanted.entries()) {
      const name = `${PRODUCT_PREFIX} ${index + 1}`;
      const [existing] =
        await sql`select id, stock from products.products where name = ${name} and deleted_at is null order by id limit 1`;
      let id = existing?.id as number | undefined;
      let current = (existing?.stock as number | undefined) ?? 0;
      if (id === undefined) {
        const created = await api<{ id: number; stock: number }>(
          base,
          'POST',
          '/api/products',
          {
            name,
            description: 'A product the bench orders during the checkout run.',
            price: '9.99',
            category: category.id,
            animal_type: 'dog',
            stock,
          },
          admin,
        );
        if (created.status !== 201)
          throw new Error(`creating ${name} answered ${created.status}: ${JSON.stringify(created.body)}`);
        id = created.body.id;
        current = created.body.stock;
      }
      if (current !== stock) {
        const adjusted = await api(
          base,
          'POST',
          `/api/products/${id}/stock`,
          { delta: stock - current },
          admin,
        );
        if (adjusted.status !== 200) throw new Error(`stock of ${name} answered ${adjusted.status}`);
      }
      products.push({ id, stock });
    }
    const ids = products.map((product) => product.id);
    await waitFor(
      async () => {
        const [row] =
          await sql`select count(*)::int as n from orders.products where product_id = any(${ids}::int[]) and not deleted`;
        return row!.n === ids.length;
      },
      30_000,
      'the orders module to know the checkout products',
    );
    return { tokens: await shopperTokens(base, users), products };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface Placed {
  id: string;
  sentAt: number;
}

export function posterRequests(setup: CheckoutSetup, placed: Placed[]): Request[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!;
  return [
    {
      method: 'POST',
      path: '/api/orders',
      setupRequest: (request, context) => {
        context.sentAt = Date.now();
        const product = pick(setup.products);
        return {
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${pick(setup.tokens)}` },
          body: JSON.stringify({
            items: [{ product_id: product.id, quantity: 1 + Math.floor(Math.random() * 3) }],
          }),
        };
      },
      onResponse: (status, body, context) => {
        if (status === 201)
          placed.push({ id: (JSON.parse(body) as { id: string }).id, sentAt: context.sentAt as number });
      },
    },
  ];
}

function browserRequests(paths: readonly string[], productIds: readonly number[]): Request[] {
  return [
    {
      method: 'GET',
      setupRequest: (request) => {
        const roll = Math.random();
        const path =
          roll < 0.5
            ? `/api/products/${productIds[Math.floor(Math.random() * productIds.length)]}`
            : paths[Math.floor(Math.random() * paths.length)]!;
        return { ...request, path };
      },
    },
  ];
}

export interface OrderRow {
  id: string;
  status: string;
  status_history: { status: string; at: string }[];
}

/** Shoppers post orders while others browse; then every order's outcome is read back and checked. */
export async function runCheckout(
  app: ServerProcess,
  url: string,
  bus: string,
  setup: CheckoutSetup,
  options: {
    seconds: number;
    posters: number;
    browsers: number;
    browsePaths: string[];
    productIds: number[];
  },
): Promise<CheckoutResult> {
  const placed: Placed[] = [];
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [clock] = await sql`select now() as now`;
  const since = clock!.now as Date;
  try {
    app.startSampling();
    const [posting, browsing] = await Promise.all([
      fire(app.baseUrl, {
        connections: options.posters,
        seconds: options.seconds,
        requests: posterRequests(setup, placed),
      }),
      fire(app.baseUrl, {
        connections: options.browsers,
        seconds: options.seconds,
        requests: browserRequests(options.browsePaths, options.productIds),
      }),
    ]);
    const peakRssMb = app.stopSampling();
    // Every order of the run, also those whose answer the load generator dropped when it stopped.
    const productIds = setup.products.map((product) => product.id);
    let rows: OrderRow[] = [];
    await waitFor(
      async () => {
        rows = await sql<OrderRow[]>`
          select o.id::text, o.status, o.status_history from orders.orders o
          where o.created_at >= ${since}
            and exists (select 1 from orders.order_items i where i.order_id = o.id and i.product_id = any(${productIds}::int[]))`;
        return rows.every((row) => row.status !== 'pending');
      },
      60_000,
      'every order of the run to be confirmed or rejected',
    ).catch(() => {});
    const sentAt = new Map(placed.map((order) => [order.id, order.sentAt]));
    const toConfirmed: number[] = [];
    const sagaOnly: number[] = [];
    for (const row of rows) {
      const confirmed = row.status_history.find((change) => change.status === 'confirmed');
      const pending = row.status_history.find((change) => change.status === 'pending');
      const sent = sentAt.get(row.id);
      if (!confirmed) continue;
      if (sent !== undefined) toConfirmed.push(Date.parse(confirmed.at) - sent);
      if (pending) sagaOnly.push(Date.parse(confirmed.at) - Date.parse(pending.at));
    }
    const count = (status: string) => rows.filter((row) => row.status === status).length;
    return {
      bus,
      post: summarize(posting),
      browse: summarize(browsing),
      orders: {
        placed: rows.length,
        confirmed: count('confirmed'),
        rejected: count('rejected'),
        undecided: rows.length - count('confirmed') - count('rejected'),
      },
      toConfirmed: { p50: percentile(toConfirmed, 0.5), p99: percentile(toConfirmed, 0.99) },
      sagaOnly: { p50: percentile(sagaOnly, 0.5), p99: percentile(sagaOnly, 0.99) },
      oversold: await oversellCheck(
        sql,
        setup,
        rows.map((row) => row.id),
      ),
      peakRssMb,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Stock never below zero, never more confirmed than there was, and every confirmed unit taken once. */
async function oversellCheck(sql: postgres.Sql, setup: CheckoutSetup, orderIds: string[]): Promise<string[]> {
  const problems: string[] = [];
  const ids = setup.products.map((product) => product.id);
  const finals = await sql`select id, stock from products.products where id = any(${ids}::int[])`;
  const taken = await sql`
    select i.product_id, sum(i.quantity)::int as units
    from orders.order_items i join orders.orders o on o.id = i.order_id
    where o.id = any(${orderIds}::uuid[]) and o.status = 'confirmed'
    group by i.product_id`;
  const finalOf = new Map(finals.map((row) => [row.id as number, row.stock as number]));
  const takenOf = new Map(taken.map((row) => [row.product_id as number, row.units as number]));
  for (const product of setup.products) {
    const final = finalOf.get(product.id) ?? Number.NaN;
    const units = takenOf.get(product.id) ?? 0;
    if (final < 0) problems.push(`product ${product.id}: stock ${final} < 0`);
    if (units > product.stock)
      problems.push(`product ${product.id}: ${units} units confirmed of ${product.stock}`);
    if (final !== product.stock - units) {
      problems.push(`product ${product.id}: stock ${final}, expected ${product.stock} - ${units} confirmed`);
    }
  }
  return problems;
}
