/**
 * The shop as its customers use it, over real HTTP against several server processes: a client
 * with a timeout on every request (a request that outlives it counts as hung), the set-up of a
 * catalog and customers, and a checkout burst that records every answer.
 */

export const REQUEST_TIMEOUT_MS = 15_000;

export interface Answer {
  status: number;
  body: unknown;
  retryAfter: string | null;
  contentType: string | null;
}

/** What a burst saw: statuses, requests that hung or found no server, the checkouts accepted. */
export class Tally {
  readonly statuses = new Map<number, number>();
  hung = 0;
  refused = 0;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter = 0;
  /** order_id of every checkout answered 202. */
  readonly accepted: string[] = [];

  count(answer: Answer): void {
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    if (answer.status === 503 && !answer.retryAfter) this.unavailableWithoutRetryAfter++;
  }

  of(status: number): number {
    return this.statuses.get(status) ?? 0;
  }

  /** Statuses a customer must never see from these calls: any 5xx but 503. */
  serverErrors(): number {
    return [...this.statuses]
      .filter(([status]) => status >= 500 && status !== 503)
      .reduce((n, [, c]) => n + c, 0);
  }
}

export async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: object; tally?: Tally } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${base}${path}`, {
      method,
      headers,
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const answer: Answer = {
      status: response.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
    };
    options.tally?.count(answer);
    return answer;
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      if (options.tally) options.tally.hung++;
      return { status: 0, body: undefined, retryAfter: null, contentType: null };
    }
    if (options.tally) options.tally.refused++;
    return { status: -1, body: undefined, retryAfter: null, contentType: null };
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Repeats a call until it answers `status` (a write that waits on a read model, a 503 meanwhile). */
export async function until(
  status: number,
  attempt: () => Promise<Answer>,
  timeoutMs = 30_000,
): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await attempt();
    if (answer.status === status) return answer;
    if (Date.now() > deadline)
      throw new Error(`expected ${status}, last answer ${answer.status} ${JSON.stringify(answer.body)}`);
    await pause(100);
  }
}

export interface Shop {
  products: { id: number; stock: number }[];
  customers: string[];
}

export const ADMIN = { email: 'admin@example.com', password: 'admin-password-for-tests' };

/** A category, `products` products with `stock` units each, and `customers` logged-in customers. */
export async function setUpShop(
  bases: readonly string[],
  counts: { products: number; stock: number; customers: number },
): Promise<Shop> {
  const at = (n: number) => bases[n % bases.length]!;
  const login = await until(200, () =>
    call(at(0), 'POST', '/api/users/login', { body: { username: ADMIN.email, password: ADMIN.password } }),
  );
  const admin = (login.body as { access: string }).access;
  const category = await until(201, () =>
    call(at(0), 'POST', '/api/categories', { token: admin, body: { name: 'Dogs' } }),
  );
  const categoryId = (category.body as { id: number }).id;
  const products: Shop['products'] = [];
  for (let n = 0; n < counts.products; n++) {
    const created = await until(201, () =>
      call(at(n), 'POST', '/api/products', {
        token: admin,
        body: {
          name: `Kibble ${n}`,
          description: 'for a happy dog',
          price: '9.99',
          category: categoryId,
          animal_type: 'dog',
          stock: counts.stock,
        },
      }),
    );
    products.push({ id: (created.body as { id: number }).id, stock: counts.stock });
  }
  const customers: string[] = [];
  for (let n = 0; n < counts.customers; n++) {
    const user = {
      username: `customer${n}`,
      email: `customer${n}@example.com`,
      password: 'customer-password',
    };
    await until(201, () => call(at(n), 'POST', '/api/users/register', { body: user }));
    const session = await until(200, () =>
      call(at(n + 1), 'POST', '/api/users/login', {
        body: { username: user.username, password: user.password },
      }),
    );
    customers.push((session.body as { access: string }).access);
  }
  // The cart knows every product once it accepts each of them.
  for (const [n, product] of products.entries()) {
    await until(201, () =>
      call(at(n), 'POST', '/api/cart/items', {
        token: customers[0]!,
        body: { product_id: product.id, quantity: 1 },
      }),
    );
  }
  return { products, customers };
}

/**
 * Every customer, on the replicas in turn, puts one to three units of a product in the cart and
 * checks out, again and again until `stop()` says so; a 503 is waited out (briefly) and tried again.
 */
export async function checkoutBurst(
  bases: readonly string[],
  shop: Shop,
  tally: Tally,
  stop: () => boolean,
): Promise<void> {
  let turn = 0;
  const customer = async (token: string, index: number) => {
    let round = 0;
    while (!stop()) {
      const base = bases[turn++ % bases.length]!;
      const product = shop.products[(index + round++) % shop.products.length]!;
      const added = await call(base, 'POST', '/api/cart/items', {
        token,
        body: { product_id: product.id, quantity: 1 + (round % 3) },
        tally,
      });
      if (added.status !== 201) {
        await pause(added.status === 503 ? 200 : 50);
        continue;
      }
      const checkout = await call(bases[turn++ % bases.length]!, 'POST', '/api/cart/checkout', {
        token,
        tally,
      });
      if (checkout.status === 202) tally.accepted.push((checkout.body as { order_id: string }).order_id);
      else await pause(checkout.status === 503 ? 200 : 50);
    }
  };
  await Promise.all(shop.customers.map((token, index) => customer(token, index)));
}
