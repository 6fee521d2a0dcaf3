import { randomUUID } from 'node:crypto';
import {
  DEMO_CARTS,
  DEMO_CUSTOMERS,
  DEMO_ORDERS,
  DEMO_REVIEWS,
  type DemoCustomer,
  type DemoLine,
  type DemoOrder,
  type DemoTarget,
} from './demo.data.js';
import { query } from './seed.api.js';
import type { SeedContext } from './seed.context.js';

interface ProductRow {
  id: number;
  name: string;
  stock: number;
}

interface OrderRow {
  id: string;
  status: string;
}

interface Page<T> {
  count: number;
  results: T[];
}

/** The staff moves after the reservation confirmed an order (`cancelled` is the owner's own). */
const STAFF_STEPS: Record<DemoTarget, string[]> = {
  confirmed: [],
  paid: ['paid'],
  shipped: ['paid', 'shipped'],
  delivered: ['paid', 'shipped', 'delivered'],
  cancelled: [],
  'staff-cancelled': ['paid', 'cancelled'],
  rejected: [],
};

/** Tries, 100 ms apart, for an order to be made and decided after its events were delivered. */
const DECISION_ATTEMPTS = 100;

class Demo {
  private readonly products = new Map<string, ProductRow | undefined>();
  readonly tokens = new Map<string, string>();
  readonly notes: string[] = [];

  constructor(private readonly context: SeedContext) {}

  async product(name: string): Promise<ProductRow | undefined> {
    if (!this.products.has(name)) {
      const page = await this.context.api.get<Page<ProductRow>>(
        `/api/products${query({ search: name, limit: 20 })}`,
      );
      const found = page.results.find((row) => row.name === name);
      if (!found) this.notes.push(`no product named "${name}" in the catalog: left out`);
      this.products.set(name, found);
    }
    return this.products.get(name);
  }

  /** A product with no stock, for the order the reservation rejects. */
  async outOfStock(preferred: string): Promise<ProductRow | undefined> {
    const named = await this.product(preferred);
    if (named && named.stock === 0) return named;
    const page = await this.context.api.get<Page<ProductRow>>(
      `/api/products${query({ in_stock: false, limit: 1 })}`,
    );
    return page.results[0];
  }

  /** Registers the customer unless there (username or e-mail taken); logs in either way. */
  async customer(customer: DemoCustomer): Promise<boolean> {
    const { api } = this.context;
    const { password, addresses: _addresses, ...profile } = customer;
    const registered = await api.call('POST', '/api/users/register', {
      body: { ...profile, password },
      expected: [201, 409],
    });
    const login = await api.call<{ access: string }>('POST', '/api/users/login', {
      body: { username: customer.username, password },
      expected: [200, 401],
    });
    if (login.status === 401) {
      this.notes.push(`${customer.username} exists but its demo password no longer works: left alone`);
      return false;
    }
    this.tokens.set(customer.username, login.body.access);
    return registered.status === 201;
  }

  /** Writes the customer's address book unless it holds addresses already; answers how many were added. */
  async addresses(customer: DemoCustomer): Promise<number> {
    const token = this.tokens.get(customer.username)!;
    const book = await this.context.api.get<Page<unknown>>('/api/users/me/addresses', token);
    if (book.count > 0) return 0;
    for (const address of customer.addresses)
      await this.context.api.post('/api/users/me/addresses', address, token);
    return customer.addresses.length;
  }

  async hasOrders(username: string): Promise<boolean> {
    const page = await this.context.api.get<Page<OrderRow>>('/api/orders?limit=1', this.tokens.get(username));
    return page.count > 0;
  }

  async fillCart(username: string, lines: DemoLine[]): Promise<number> {
    let added = 0;
    for (const line of lines) {
      const product = await this.product(line.product);
      if (!product) continue;
      const answer = await this.context.api.call('POST', '/api/cart/items', {
        token: this.tokens.get(username)!,
        body: { product_id: product.id, quantity: line.quantity },
        expected: [201, 409],
      });
      if (answer.status === 201) added++;
      else this.notes.push(`${username}'s cart: no stock left of "${line.product}"`);
    }
    return added;
  }

  /** Places the order (pending); answers its id, or undefined when none of its products is there. */
  async place(order: DemoOrder): Promise<string | undefined> {
    const token = this.tokens.get(order.customer)!;
    const { api } = this.context;
    if (order.target === 'rejected') {
      const product = await this.outOfStock(order.lines[0]!.product);
      if (!product) {
        this.notes.push('no product is out of stock: no rejected order');
        return undefined;
      }
      const body = { items: [{ product_id: product.id, quantity: 1 }] };
      return (await api.post<OrderRow>('/api/orders', body, token)).id;
    }
    if (order.via === 'checkout') {
      if ((await this.fillCart(order.customer, order.lines)) === 0) return undefined;
      const answer = await api.call<{ order_id: string }>('POST', '/api/cart/checkout', {
        token,
        headers: { 'idempotency-key': randomUUID() },
      });
      return answer.body.order_id;
    }
    const items = [];
    for (const line of order.lines) {
      const product = await this.product(line.product);
      if (product) items.push({ product_id: product.id, quantity: line.quantity });
    }
    if (items.length === 0) return undefined;
    return (await api.post<OrderRow>('/api/orders', { items }, token)).id;
  }

  /**
   * The order once the reservation has answered. Its events are delivered by now, unless another
   * process (a server on the same PostgreSQL) took them and is still at it: then wait a little.
   */
  private async decided(id: string, token: string): Promise<OrderRow> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.context.api.call<OrderRow>('GET', `/api/orders/${id}`, {
        token,
        expected: [200, 404],
      });
      if ((answer.status === 200 && answer.body.status !== 'pending') || attempt === DECISION_ATTEMPTS) {
        if (answer.status === 404) throw new Error(`order ${id} was not made from its checkout in time`);
        return answer.body;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Takes a reserved order where the plan says; answers the status it ended in. */
  async advance(order: DemoOrder, id: string): Promise<string> {
    const { api, staffToken } = this.context;
    const token = this.tokens.get(order.customer)!;
    let current = await this.decided(id, token);
    if (current.status !== 'confirmed') return current.status;
    if (order.target === 'cancelled')
      return (await api.post<OrderRow>(`/api/orders/${id}/cancel`, undefined, token)).status;
    for (const status of STAFF_STEPS[order.target]) {
      current = (
        await api.call<OrderRow>('PATCH', `/api/orders/${id}/status`, { token: staffToken, body: { status } })
      ).body;
    }
    return current.status;
  }

  async review(username: string, productName: string, body: Record<string, unknown>): Promise<boolean> {
    const product = await this.product(productName);
    if (!product) return false;
    const answer = await this.context.api.call('POST', '/api/reviews', {
      token: this.tokens.get(username)!,
      body: { product_id: product.id, ...body },
      expected: [201, 409],
    });
    return answer.status === 201;
  }
}

/**
 * `--demo`: customers with carts, orders in every status and reviews, all through the HTTP API as a
 * client would make them. A customer already there is logged into; one who has orders gets none
 * more, a cart with items is left as it is, a review already written is not written again.
 */
export async function loadDemo(context: SeedContext): Promise<void> {
  const demo = new Demo(context);
  const steps = DEMO_CUSTOMERS.length * 2 + DEMO_ORDERS.length * 2 + DEMO_REVIEWS.length;
  const phase = context.progress.phase('demo', steps, 'steps');
  let added = 0;
  let addresses = 0;
  const fresh = new Set<string>();
  for (const customer of DEMO_CUSTOMERS) {
    if (await demo.customer(customer)) added++;
    if (demo.tokens.has(customer.username)) addresses += await demo.addresses(customer);
    if (demo.tokens.has(customer.username) && !(await demo.hasOrders(customer.username)))
      fresh.add(customer.username);
    phase.advance();
  }
  context.report(`demo customers: ${added} added, ${DEMO_CUSTOMERS.length - added} already there`);
  context.report(`demo addresses: ${addresses} added`);
  // Cart and orders learn the addresses from their events: the orders below ship to the defaults.
  await context.deliver();

  const placed: { order: DemoOrder; id: string }[] = [];
  for (const order of DEMO_ORDERS) {
    const id = fresh.has(order.customer) ? await demo.place(order) : undefined;
    if (id) placed.push({ order, id });
    phase.advance();
  }
  // The orders exist once their events are delivered, and are confirmed or rejected by the reservation.
  await context.deliver();
  const reached: string[] = [];
  for (const { order, id } of placed) {
    reached.push(await demo.advance(order, id));
    phase.advance();
  }
  phase.advance(DEMO_ORDERS.length - placed.length);
  const skipped = DEMO_ORDERS.length - placed.length;
  context.report(
    `demo orders: ${placed.length} added (${reached.join(', ') || 'none'})` +
      (skipped > 0 ? `, ${skipped} left out: their customer has orders already` : ''),
  );

  let carts = 0;
  for (const [username, lines] of Object.entries(DEMO_CARTS)) {
    if (!demo.tokens.has(username)) continue;
    const cart = await context.api.get<{ items: unknown[] }>('/api/cart', demo.tokens.get(username));
    if (cart.items.length === 0 && (await demo.fillCart(username, lines)) > 0) carts++;
    phase.advance();
  }
  context.report(
    `demo carts: ${carts} filled, ${Object.keys(DEMO_CARTS).length - carts} already holding items`,
  );

  let reviews = 0;
  for (const { customer, product, ...body } of DEMO_REVIEWS) {
    if (demo.tokens.has(customer) && (await demo.review(customer, product, body))) reviews++;
    phase.advance();
  }
  phase.finish();
  context.report(`demo reviews: ${reviews} added, ${DEMO_REVIEWS.length - reviews} already there`);
  for (const note of demo.notes) context.report(`  note: ${note}`);
  context.report('demo logins (README.md, "Seed and demo data"):');
  for (const customer of DEMO_CUSTOMERS)
    context.report(`  ${customer.username.padEnd(12)} ${customer.password}`);
}
