import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { queryRows } from '../../src/platform/db/database.js';
import { RabbitEventBus } from '../../src/platform/events/rabbitmq-bus.js';
import { topologyOf } from '../../src/platform/events/runtime.js';
import { topicMatches } from '../../src/platform/events/topic-pattern.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from '../platform/bus-contract.js';
import { createVhost, silentLogger, type TestVhost } from './rabbit-broker.js';
import { TappedBus } from './tapped-bus.js';

type Headers = { authorization: string };

/**
 * The checkout saga over HTTP with every event through RabbitMQ, the modules spread over several
 * apps (as several processes would be) on one database and one vhost. Requests go to whichever
 * app hosts the route; reads that depend on events are polled, as a client would.
 */
describe('the checkout saga on RabbitMQ across apps', () => {
  let vhost: TestVhost;
  let testDatabase: TestDatabase;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    vhost = await createVhost();
    testDatabase = await createPostgresDatabase();
  });
  afterEach(async () => {
    for (const t of apps.splice(0)) await t.close();
  });
  afterAll(async () => {
    await testDatabase?.drop();
    await vhost?.drop();
  });

  const start = async (modules: string, bus?: TappedBus) => {
    const t = await buildTestApp({
      testDatabase,
      config: { AMQP_URL: vhost.url, MODULES: modules, EVENT_MAX_ATTEMPTS: 5 },
      ...(bus ? { bus } : {}),
    });
    apps.push(t);
    return t;
  };

  const call = async (
    t: TestApp,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: object,
    payload?: object,
  ) => t.app.inject({ method, url, headers: { ...headers }, ...(payload ? { payload } : {}) });

  /** Retries a write that waits on a read model fed by events (a 400/404/409 until the event lands). */
  const once201 = async (t: TestApp, url: string, headers: Headers, payload: object) => {
    let body: { id: number } | undefined;
    await eventually(async () => {
      const response = await call(t, 'POST', url, headers, payload);
      if (response.statusCode === 201) body = response.json();
      return body !== undefined;
    }, 20_000);
    return body!;
  };

  /** category → product → cart → checkout → confirmed (stock down) → cancel → stock back. */
  async function saga(catalog: TestApp, shop: TestApp, label: string): Promise<number> {
    const admin = await catalog.bearer({ id: 900, isStaff: true });
    const customer = await catalog.bearer({ id: 901 });
    const category = await once201(catalog, '/api/categories', admin, { name: `Dogs ${label}` });
    const product = await once201(catalog, '/api/products', admin, {
      name: `Kibble ${label}`,
      description: 'for a happy dog',
      price: '12.50',
      category: category.id,
      animal_type: 'dog',
      stock: 10,
    });
    const stock = async () => (await call(catalog, 'GET', `/api/products/${product.id}`, {})).json().stock;

    await once201(shop, '/api/cart/items', customer, { product_id: product.id, quantity: 3 });
    const checkout = await call(shop, 'POST', '/api/cart/checkout', customer);
    expect(checkout.statusCode).toBe(202);
    const orderId: string = checkout.json().order_id;
    const status = async () => {
      const response = await call(shop, 'GET', `/api/orders/${orderId}`, customer);
      return response.statusCode === 200 ? response.json().status : `http ${response.statusCode}`;
    };
    await eventually(async () => (await status()) === 'confirmed', 20_000);
    expect(await stock()).toBe(7);

    const cancelled = await call(shop, 'POST', `/api/orders/${orderId}/cancel`, customer);
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().status).toBe('cancelled');
    await eventually(async () => (await stock()) === 10, 20_000);
    return product.id;
  }

  /**
   * A real customer (users hosts the address book) checks out with an address: the address reaches
   * cart and orders over RabbitMQ, and the order keeps its copy after the address is edited.
   */
  async function addressedCheckout(catalog: TestApp, shop: TestApp, product: number): Promise<void> {
    const account = {
      username: 'rabbit.ana',
      email: 'rabbit.ana@example.com',
      password: 'velvet-otter-harbour-27',
    };
    expect((await call(catalog, 'POST', '/api/users/register', {}, account)).statusCode).toBe(201);
    const { username, password } = account;
    const login = await call(catalog, 'POST', '/api/users/login', {}, { username, password });
    const customer = { authorization: `Bearer ${login.json().access}` };
    const address = await once201(catalog, '/api/users/me/addresses', customer, {
      name: 'Ana Ruiz',
      line1: 'Calle Mayor 1',
      city: 'Madrid',
      postal_code: '28013',
      country: 'ES',
    });
    await once201(shop, '/api/cart/items', customer, { product_id: product, quantity: 1 });
    let orderId = '';
    await eventually(async () => {
      const checkout = await call(shop, 'POST', '/api/cart/checkout', customer, { address_id: address.id });
      if (checkout.statusCode === 202) orderId = checkout.json().order_id;
      return orderId !== '';
    }, 20_000);
    const order = async () => {
      const response = await call(shop, 'GET', `/api/orders/${orderId}`, customer);
      return response.statusCode === 200 ? response.json() : undefined;
    };
    const shipping = async () => (await order())?.shipping_address;
    // Confirmed, so that the saga publishes nothing more while every event is checked below.
    await eventually(async () => {
      const placed = await order();
      return placed?.status === 'confirmed' && placed.shipping_address?.line1 === 'Calle Mayor 1';
    }, 20_000);
    const edited = await call(catalog, 'PATCH', `/api/users/me/addresses/${address.id}`, customer, {
      line1: 'Otra 2',
    });
    expect(edited.statusCode).toBe(200);
    await expectEveryEventHandledByEachModule(catalog);
    expect(await shipping()).toMatchObject({ address_id: address.id, line1: 'Calle Mayor 1', country: 'ES' });
  }

  /** Counts, per `<queue> <event_id>`, the deliveries whose handler finished, on every app's bus. */
  const handled = new Map<string, number>();
  const perReplica = [0, 0];
  const tapped = (replica: number) =>
    new TappedBus(
      new RabbitEventBus({
        url: vhost.url,
        maxAttempts: 5,
        retryDelayMs: 5,
        prefetch: 10,
        logger: silentLogger,
      }),
      (delivery) => {
        const key = `${delivery.queue} ${delivery.message.event_id}`;
        handled.set(key, (handled.get(key) ?? 0) + 1);
        perReplica[replica]!++;
      },
    );

  /**
   * Every published event has reached every module bound to it: its handler finished (read models
   * guarded by version keep no inbox row, so the tap is the witness), and whatever went through an
   * inbox is recorded there under a binding that exists.
   */
  async function expectEveryEventHandledByEachModule(t: TestApp, afterOutboxId = 0): Promise<number> {
    const { bindings } = topologyOf(ALL_MODULES);
    const expectedPairs = async () => {
      const events = await queryRows<{ event_id: string; exchange: string; routing_key: string }>(
        t.database.db,
        sql`select event_id, exchange, routing_key from platform.outbox where id > ${afterOutboxId}`,
      );
      return events.flatMap((event) =>
        bindings
          .filter(
            (binding) =>
              binding.exchange === event.exchange &&
              binding.patterns.some((pattern) => topicMatches(pattern, event.routing_key)),
          )
          .map((binding) => `${binding.queue} ${event.event_id}`),
      );
    };
    // One snapshot, checked and asserted: the outbox read again later may hold newer events.
    let expected: string[] = [];
    await eventually(async () => {
      expected = await expectedPairs();
      return expected.every((pair) => handled.has(pair));
    }, 20_000);
    expect(expected.filter((pair) => !handled.has(pair))).toEqual([]);
    const recorded = await queryRows<{ consumer: string; event_id: string }>(
      t.database.db,
      sql`select i.consumer, i.event_id from platform.inbox i
          join platform.outbox o on o.event_id = i.event_id where o.id > ${afterOutboxId}`,
    );
    const known = new Set([...handled.keys()]);
    expect(
      recorded.map((row) => `${row.consumer} ${row.event_id}`).filter((pair) => !known.has(pair)),
    ).toEqual([]);
    expect(recorded.length).toBeGreaterThan(0);
    return expected.length;
  }

  it('when users, categories and products run in one app and cart, orders and reviews in another, then the saga completes', async () => {
    const catalog = await start('users,categories,products', tapped(0));
    const shop = await start('cart,orders,reviews', tapped(1));
    const product = await saga(catalog, shop, 'split');
    expect(await expectEveryEventHandledByEachModule(catalog)).toBeGreaterThan(0);
    await addressedCheckout(catalog, shop, product);
  }, 90_000);

  it('when two replicas host every module, then the sagas complete and each event is handled once per module', async () => {
    handled.clear();
    perReplica.fill(0);
    const database = await testDatabase.open(1);
    const [before] = await queryRows<{ id: number }>(
      database.db,
      sql`select coalesce(max(id), 0)::int as id from platform.outbox`,
    );
    await database.close();
    const first = await start('all', tapped(0));
    const second = await start('all', tapped(1));
    for (let round = 0; round < 3; round++) {
      await saga(round % 2 ? first : second, round % 2 ? second : first, `replicas ${round}`);
    }
    await expectEveryEventHandledByEachModule(first, before!.id);
    expect([...handled.values()].filter((times) => times !== 1)).toEqual([]);
    expect(perReplica.every((count) => count > 0)).toBe(true);
  }, 120_000);
});
