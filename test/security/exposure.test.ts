import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteRecord } from '../../src/platform/platform.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import type { Actor } from './authorization-matrix.js';
import { matrixFindings } from './authorization-matrix.js';
import { SHOP_MATRIX, ShopWorld } from './authorization-table.js';
import { exposureObserver, openObjects } from './exposure-tour.js';
import { type Finding, routeKey, type Viewer } from './response-checks.js';
import { type JsonSchema, pathArbitrary, validValue } from './schema-arbitraries.js';
import { call, hintsFor, knowledgeOf, SECURITY_CONFIG } from './shop-seed.js';

/** Fields a client must never set where the route does not declare them (docs/api.md, OWASP API3). */
const PROTECTED_FIELDS = [
  'id',
  'is_staff',
  'is_active',
  'email_verified',
  'user_id',
  'status',
  'total',
  'price',
  'unit_price',
  'verified_purchase',
  'password_hash',
  'created_at',
  'version',
];

describe('exposure and mass assignment', () => {
  let t: TestApp;
  let world: ShopWorld;
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    world = await ShopWorld.create(t, 24);
  });
  afterAll(async () => t?.close());

  const viewerOf = (actor: Actor): Viewer =>
    actor === 'anonymous'
      ? { role: 'anonymous' }
      : { role: actor === 'admin' ? 'admin' : 'customer', userId: world.account(actor).id };
  const writeRoutes = () =>
    t.app.platform.routes.filter((route) => !route.hidden && ['POST', 'PUT', 'PATCH'].includes(route.method));

  it("when every route is toured by every actor on other users' resources, then no answer holds a hash, a token, an internal column or another user's email", async () => {
    const findings: Finding[] = [];
    await matrixFindings(
      t.app,
      SHOP_MATRIX,
      world,
      exposureObserver(knowledgeOf(world.shop), viewerOf, findings),
      ['other'],
    );
    expect(findings).toEqual([]);
  }, 60_000);

  it('when the body schemas are read, then every object in them rejects the fields it does not declare', () => {
    const open = writeRoutes().flatMap((route) =>
      route.schema?.body
        ? openObjects(route.schema.body as JsonSchema).map((at) => `${routeKey(route)} ${at}`)
        : [],
    );
    expect(open).toEqual([]);
  });

  async function withField(route: RouteRecord, field: string) {
    const [path] = fc.sample(
      pathArbitrary(
        route.url,
        route.schema?.params as JsonSchema,
        hintsFor(world.shop, route.module),
        'valid',
      ),
      {
        seed: 1,
        numRuns: 1,
      },
    );
    const schema = route.schema?.body as JsonSchema | undefined;
    const [valid] = schema
      ? fc.sample(validValue(schema, hintsFor(world.shop, route.module)), { seed: 1, numRuns: 1 })
      : [{}];
    const body = { ...(valid as object), [field]: field === 'total' ? '0.01' : true };
    return t.app.inject({
      method: route.method as 'POST',
      url: path?.path ?? route.url,
      headers: world.headersOf('admin'),
      payload: body,
    });
  }

  it('when any write route gets a field the client may not set (is_staff, user_id, status, total, prices, ids…), then it is a 400', async () => {
    const accepted: string[] = [];
    for (const route of writeRoutes()) {
      const declared = Object.keys((route.schema?.body as JsonSchema | undefined)?.properties ?? {});
      for (const field of PROTECTED_FIELDS.filter((name) => !declared.includes(name))) {
        const response = await withField(route, field);
        if (response.statusCode !== 400)
          accepted.push(`${routeKey(route)} {${field}} → ${response.statusCode}`);
      }
    }
    expect(accepted).toEqual([]);
  }, 60_000);

  it('when someone registers with is_staff, then it is a 400 and no account exists', async () => {
    const body = {
      username: 'sneaky',
      email: 'sneaky@mail.test',
      password: 'sneaky-password-1',
      is_staff: true,
    };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/users/register', payload: body })).statusCode,
    ).toBe(400);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/users/login',
      payload: { username: 'sneaky', password: 'sneaky-password-1' },
    });
    expect(login.statusCode).toBe(401);
  });

  it('when a customer patches their profile with is_staff, is_active or id, then it is a 400 and nothing changes', async () => {
    const { customerA } = world.shop;
    for (const body of [
      { is_staff: true },
      { is_active: false },
      { id: 999 },
      { first_name: 'X', is_staff: true },
    ]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: '/api/users/me',
        headers: customerA.headers,
        payload: body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    const me = await call(t, 'GET', '/api/users/me', { headers: customerA.headers, expect: 200 });
    expect(me).toMatchObject({ id: customerA.id, is_staff: false, is_active: true });
    expect(me.first_name).not.toBe('X');
    const asAdmin = await call(t, 'GET', `/api/users/${customerA.id}`, {
      headers: world.headersOf('admin'),
      expect: 200,
    });
    expect(asAdmin.is_staff).toBe(false);
  });

  it('when an admin patches a user with an email, a password or an id, then it is a 400', async () => {
    const { customerB } = world.shop;
    for (const body of [
      { email: 'x@mail.test' },
      { password: 'new-password-1' },
      { id: 1 },
      { username: 'root' },
    ]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/users/${customerB.id}`,
        headers: world.headersOf('admin'),
        payload: body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await call(t, 'GET', '/api/users/me', { headers: customerB.headers, expect: 200 })).email).toBe(
      customerB.email,
    );
  });

  it('when an order is placed with prices, a total, a status or a user, then it is a 400; a plain order is priced by the server', async () => {
    const { customerA, productIds } = world.shop;
    const headers = customerA.headers;
    const before = (await call(t, 'GET', '/api/orders', { headers, expect: 200 })).count;
    const line = { product_id: productIds[0], quantity: 2 };
    for (const body of [
      { items: [{ ...line, unit_price: '0.01' }] },
      { items: [{ ...line, price: '0.01' }] },
      { items: [{ ...line, subtotal: '0.01' }] },
      { items: [line], total: '0.01' },
      { items: [line], status: 'paid' },
      { items: [line], user_id: world.shop.customerB.id },
      { items: [line], id: '00000000-0000-4000-8000-000000000000' },
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/orders', headers, payload: body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await call(t, 'GET', '/api/orders', { headers, expect: 200 })).count).toBe(before);
    const order = await call(t, 'POST', '/api/orders', { headers, body: { items: [line] }, expect: 201 });
    const product = await call(t, 'GET', `/api/products/${productIds[0]}`, { expect: 200 });
    expect(order.user_id).toBe(customerA.id);
    expect(order.status).toBe('pending');
    expect(order.items[0].unit_price).toBe(product.price);
    expect(order.total).toBe((Number(product.price) * 2).toFixed(2));
  });

  it('when an admin moves an order with a total beside the status, or a customer cancels with a status, then it is a 400', async () => {
    const id = await world.order('customerA');
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/orders/${id}/status`,
      headers: world.headersOf('admin'),
      payload: { status: 'cancelled', total: '0.00' },
    });
    expect(patch.statusCode).toBe(400);
    const cancel = await t.app.inject({
      method: 'POST',
      url: `/api/orders/${id}/cancel`,
      headers: world.headersOf('customerA'),
      payload: { status: 'delivered' },
    });
    expect(cancel.statusCode).toBe(400);
    const order = await call(t, 'GET', `/api/orders/${id}`, {
      headers: world.headersOf('customerA'),
      expect: 200,
    });
    // The stock reservation may have confirmed it meanwhile; neither request moved it.
    expect(['pending', 'confirmed']).toContain(order.status);
  });

  it('when a cart line or a checkout carries prices or a total, then it is a 400 and the cart keeps its server prices', async () => {
    const headers = world.headersOf('customerB');
    const product = world.cartProduct();
    for (const body of [
      { product_id: product, quantity: 1, unit_price: '0.01' },
      { product_id: product, quantity: 1, price: '0.01' },
      { product_id: product, quantity: 1, user_id: world.shop.customerA.id },
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/cart/items', headers, payload: body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    await call(t, 'POST', '/api/cart/items', {
      headers,
      body: { product_id: product, quantity: 1 },
      expect: 201,
    });
    for (const body of [{ total: '0.01' }, { user_id: world.shop.customerA.id }, { items: [] }]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/cart/checkout',
        headers,
        payload: body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    const cart = await call(t, 'GET', '/api/cart', { headers, expect: 200 });
    const line = cart.items.find((item: { product_id: number }) => item.product_id === product);
    const catalog = await call(t, 'GET', `/api/products/${product}`, { expect: 200 });
    expect(line?.unit_price).toBe(catalog.price);
  });

  it('when a review is written or changed with verified_purchase, user_id or product_id, then it is a 400 and the review is as the server made it', async () => {
    const headers = world.headersOf('customerB');
    const product = await world.freshProduct(); // a product customer B never ordered
    await t.settle();
    const content = { product_id: product, rating: 4, comment: 'Nice' };
    for (const body of [
      { ...content, verified_purchase: true },
      { ...content, user_id: world.shop.customerA.id },
      { ...content, username: 'admin' },
      { ...content, id: 1 },
    ]) {
      const response = await t.app.inject({ method: 'POST', url: '/api/reviews', headers, payload: body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    const review = await call(t, 'POST', '/api/reviews', { headers, body: content, expect: 201 });
    expect(review).toMatchObject({ user_id: world.shop.customerB.id, verified_purchase: false });
    for (const body of [
      { verified_purchase: true },
      { user_id: world.shop.customerA.id },
      { product_id: 1 },
    ]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/reviews/${review.id}`,
        headers,
        payload: body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(await call(t, 'GET', `/api/reviews/${review.id}`, { expect: 200 })).toMatchObject({
      user_id: world.shop.customerB.id,
      product_id: product,
      verified_purchase: false,
    });
  });

  it("when another user replays someone's Idempotency-Key, then they get an order of their own, never the first user's", async () => {
    const key = 'shared-key-0001';
    const body = { items: [{ product_id: world.orderProduct(), quantity: 1 }] };
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { ...world.headersOf('customerA'), 'idempotency-key': key },
      payload: body,
    });
    expect(first.statusCode).toBe(201);
    const replayed = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { ...world.headersOf('customerB'), 'idempotency-key': key },
      payload: body,
    });
    expect(replayed.statusCode).toBe(201);
    expect(replayed.json().id).not.toBe(first.json().id);
    expect(replayed.json().user_id).toBe(world.shop.customerB.id);
  });

  it('when a product or a category is written with ids, ratings or counts, then it is a 400', async () => {
    const admin = world.headersOf('admin');
    const product = {
      name: 'Mass',
      description: 'assignment',
      price: '1.00',
      category: world.shop.categoryIds[0],
      animal_type: 'dog',
    };
    for (const extra of [
      { id: 1 },
      { rating_avg: 5 },
      { rating_count: 100 },
      { category_name: 'x' },
      { created_at: '2000-01-01T00:00:00Z' },
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/products',
        headers: admin,
        payload: { ...product, ...extra },
      });
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
    }
    for (const extra of [{ id: 1 }, { slug: 'x' }, { product_count: 9 }]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/categories',
        headers: admin,
        payload: { name: 'Mass assignment', ...extra },
      });
      expect(response.statusCode, JSON.stringify(extra)).toBe(400);
    }
  });
});
