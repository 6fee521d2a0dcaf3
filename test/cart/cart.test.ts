import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cartModule } from '../../src/modules/cart/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { FakeCatalog, fakeCategoriesModule, fakeProductsModule } from './fake-catalog.js';

type Headers = { authorization: string };

describe('cart', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let alice: Headers;
  let bob: Headers;
  let nextUser = 100;

  beforeAll(async () => {
    t = await buildTestApp({ modules: [cartModule, fakeProductsModule, fakeCategoriesModule] });
    catalog = new FakeCatalog(t);
    await catalog.category(1, 1, 'Dog food');
    await catalog.product(1, 1, { name: 'Kibble', price: '12.50', stock: 20 });
    await catalog.product(2, 1, { name: 'Bone', price: '3.05', stock: 5 });
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    alice = await t.bearer({ id: nextUser++ });
    bob = await t.bearer({ id: nextUser++ });
  });

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    headers?: object,
    payload?: object,
  ) =>
    t.app.inject({
      method,
      url: `/api/cart${url}`,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
  const add = (headers: Headers, product_id: number, quantity: number) =>
    call('POST', '/items', headers, { product_id, quantity });

  describe('reading', () => {
    it('when a user reads a cart never used, then it is empty', async () => {
      const response = await call('GET', '/', alice);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ items: [], total: '0.00', item_count: 0 });
      expect(new Date(response.json().updated_at).toISOString()).toBe(response.json().updated_at);
    });

    it('when there is no token, then every cart route answers 401', async () => {
      const routes = [
        call('GET', '/'),
        call('POST', '/items', {}, { product_id: 1, quantity: 1 }),
        call('PATCH', '/items/1', {}, { quantity: 1 }),
        call('DELETE', '/items/1'),
        call('DELETE', '/'),
        call('POST', '/checkout'),
        call('GET', '/', { authorization: 'Bearer not-a-token' }),
      ];
      for (const response of await Promise.all(routes)) {
        expect(response.statusCode).toBe(401);
        expect(response.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('when a trailing slash is used, then the route answers the same', async () => {
      expect((await call('GET', '/', alice)).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/cart/', headers: alice })).statusCode).toBe(200);
    });
  });

  describe('adding', () => {
    it('when a product is added, then 201 answers the cart priced from the catalog', async () => {
      const response = await add(alice, 1, 2);
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({
        items: [
          {
            product_id: 1,
            name: 'Kibble',
            category_name: 'Dog food',
            unit_price: '12.50',
            quantity: 2,
            subtotal: '25.00',
            available: true,
          },
        ],
        total: '25.00',
        item_count: 2,
      });
    });

    it('when the same product is added again, then its line grows and totals are exact', async () => {
      await add(alice, 2, 1);
      await add(alice, 1, 1);
      const response = await add(alice, 2, 2);
      expect(response.statusCode).toBe(201);
      const cart = response.json();
      expect(
        cart.items.map((item: { product_id: number; quantity: number }) => [item.product_id, item.quantity]),
      ).toEqual([
        [2, 3],
        [1, 1],
      ]);
      expect(cart.items[0].subtotal).toBe('9.15');
      expect(cart.total).toBe('21.65');
      expect(cart.item_count).toBe(4);
    });

    it('when the product is unknown, then 404', async () => {
      const response = await add(alice, 999, 1);
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('CART.PRODUCT_NOT_FOUND');
    });

    it('when more than the known stock is asked, then 409 and the cart is unchanged', async () => {
      await add(alice, 2, 4);
      const response = await add(alice, 2, 2);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CART.INSUFFICIENT_STOCK');
      expect((await call('GET', '/', alice)).json().items[0].quantity).toBe(4);
    });

    it('when prices are at the top of the range, then totals stay exact', async () => {
      await catalog.product(4, 1, { price: '99999999.99', stock: 1000 });
      const cart = (await add(alice, 4, 99)).json();
      expect(cart.items[0].subtotal).toBe('9899999999.01');
      expect(cart.total).toBe('9899999999.01');
    });

    it('when a line would hold more than 99, then 409', async () => {
      await catalog.product(3, 1, { stock: 500 });
      expect((await add(alice, 3, 99)).statusCode).toBe(201);
      const response = await add(alice, 3, 1);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CART.QUANTITY_LIMIT');
    });

    it.each([
      ['quantity 0', { product_id: 1, quantity: 0 }],
      ['quantity 100', { product_id: 1, quantity: 100 }],
      ['a quantity as text', { product_id: 1, quantity: '2' }],
      ['a fractional quantity', { product_id: 1, quantity: 1.5 }],
      ['no quantity', { product_id: 1 }],
      ['no product', { quantity: 1 }],
      ['a product id beyond the integer range', { product_id: 2_147_483_648, quantity: 1 }],
      ['a price', { product_id: 1, quantity: 1, unit_price: '0.01' }],
    ])('when the body has %s, then 400', async (_, body) => {
      const response = await call('POST', '/items', alice, body);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('VALIDATION_FAILED');
    });

    it('when the cart holds 50 different products, then a 51st is refused with 409 but more of one is fine', async () => {
      for (let id = 100; id < 151; id++) await catalog.product(id, 1, { stock: 10 });
      for (let id = 100; id < 150; id++) expect((await add(alice, id, 1)).statusCode).toBe(201);
      const refused = await add(alice, 150, 1);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('CART.TOO_MANY_LINES');
      expect((await add(alice, 100, 1)).statusCode).toBe(201);
    });
  });

  describe('changing and removing', () => {
    it('when a quantity is set, then the line takes it', async () => {
      await add(alice, 1, 1);
      const response = await call('PATCH', '/items/1', alice, { quantity: 7 });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        items: [{ product_id: 1, quantity: 7 }],
        total: '87.50',
        item_count: 7,
      });
    });

    it('when the line is not in the cart, then PATCH answers 404', async () => {
      const response = await call('PATCH', '/items/1', alice, { quantity: 1 });
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('CART.ITEM_NOT_FOUND');
    });

    it('when the quantity is above stock, then PATCH answers 409', async () => {
      await add(alice, 2, 1);
      const response = await call('PATCH', '/items/2', alice, { quantity: 6 });
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CART.INSUFFICIENT_STOCK');
    });

    it.each([
      ['/items/1', { quantity: 0 }],
      ['/items/1', { quantity: 100 }],
      ['/items/1', { quantity: 2, product_id: 3 }],
      ['/items/abc', { quantity: 1 }],
      ['/items/2147483648', { quantity: 1 }],
    ])('when PATCH %s gets %j, then 400', async (url, body) => {
      await add(alice, 1, 1);
      expect((await call('PATCH', url, alice, body)).statusCode).toBe(400);
    });

    it('when a line is removed, then the cart answers without it', async () => {
      await add(alice, 1, 1);
      await add(alice, 2, 1);
      const response = await call('DELETE', '/items/1', alice);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ items: [{ product_id: 2 }], total: '3.05', item_count: 1 });
    });

    it('when the removed line is not in the cart, then 404', async () => {
      const response = await call('DELETE', '/items/1', alice);
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('CART.ITEM_NOT_FOUND');
      expect((await call('DELETE', '/items/x', alice)).statusCode).toBe(400);
    });

    it('when the cart is cleared, then 204 and it is empty', async () => {
      await add(alice, 1, 1);
      const response = await call('DELETE', '/', alice);
      expect(response.statusCode).toBe(204);
      expect(response.body).toBe('');
      expect((await call('GET', '/', alice)).json()).toMatchObject({
        items: [],
        total: '0.00',
        item_count: 0,
      });
      expect((await call('DELETE', '/', alice)).statusCode).toBe(204);
    });
  });

  describe('two users', () => {
    it('when one user fills a cart, then another sees none of it on any route and cannot change it', async () => {
      await add(alice, 1, 2);
      const aliceCart = (await call('GET', '/', alice)).json();
      expect((await call('GET', '/', bob)).json().items).toEqual([]);
      expect((await call('PATCH', '/items/1', bob, { quantity: 5 })).statusCode).toBe(404);
      expect((await call('DELETE', '/items/1', bob)).statusCode).toBe(404);
      expect((await call('DELETE', '/', bob)).statusCode).toBe(204);
      expect((await call('POST', '/checkout', bob)).statusCode).toBe(409);
      expect((await add(bob, 1, 1)).json().items).toMatchObject([{ product_id: 1, quantity: 1 }]);
      expect((await call('GET', '/', alice)).json()).toEqual(aliceCart);
    });
  });

  describe('checkout', () => {
    const checkedOut = async () =>
      (await catalog.events('cart_events')).filter((event) => event.routing_key === 'cart.checked_out');

    it('when a cart is checked out, then 202, the cart is emptied and cart.checked_out carries its lines', async () => {
      await add(alice, 1, 2);
      await add(alice, 2, 1);
      const before = (await checkedOut()).length;
      const response = await call('POST', '/checkout', alice);
      expect(response.statusCode).toBe(202);
      const { order_id, status } = response.json();
      expect(status).toBe('pending');
      expect(order_id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await call('GET', '/', alice)).json().items).toEqual([]);
      const events = await checkedOut();
      expect(events).toHaveLength(before + 1);
      const userId = Number(
        JSON.parse(Buffer.from(alice.authorization.split('.')[1]!, 'base64url').toString()).sub,
      );
      expect(events.at(-1)!.message).toMatchObject({
        event: 'cart_checked_out',
        version: 1,
        order_id,
        user_id: userId,
        items: [
          { product_id: 1, quantity: 2, unit_price: '12.50' },
          { product_id: 2, quantity: 1, unit_price: '3.05' },
        ],
      });
    });

    it('when the cart is empty, then 409', async () => {
      const response = await call('POST', '/checkout', alice);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CART.EMPTY');
    });

    it('when the body has a field, then 400', async () => {
      await add(alice, 1, 1);
      expect((await call('POST', '/checkout', alice, { total: '0.01' })).statusCode).toBe(400);
    });

    it('when the body is not an empty object or the key is malformed, then 400', async () => {
      await add(alice, 1, 1);
      const text = await t.app.inject({
        method: 'POST',
        url: '/api/cart/checkout',
        headers: { ...alice, 'content-type': 'application/json' },
        payload: '"please"',
      });
      expect(text.statusCode).toBe(400);
      expect((await call('POST', '/checkout', { ...alice, 'idempotency-key': 'has space' })).statusCode).toBe(
        400,
      );
      expect((await call('POST', '/checkout', alice, {})).statusCode).toBe(202);
    });

    it('when the same Idempotency-Key is sent again, then the first answer comes back and one event exists', async () => {
      await add(alice, 1, 1);
      const before = (await checkedOut()).length;
      const headers = { ...alice, 'idempotency-key': 'checkout-1' };
      const first = await call('POST', '/checkout', headers);
      const again = await call('POST', '/checkout', headers);
      expect(first.statusCode).toBe(202);
      expect(again.statusCode).toBe(202);
      expect(again.json()).toEqual(first.json());
      expect(await checkedOut()).toHaveLength(before + 1);
      const otherKey = await call('POST', '/checkout', { ...alice, 'idempotency-key': 'checkout-2' });
      expect(otherKey.statusCode).toBe(409);
    });

    it('when another user sends the same Idempotency-Key, then they get their own checkout', async () => {
      await add(alice, 1, 1);
      await add(bob, 1, 1);
      const first = await call('POST', '/checkout', { ...alice, 'idempotency-key': 'shared' });
      const second = await call('POST', '/checkout', { ...bob, 'idempotency-key': 'shared' });
      expect(second.statusCode).toBe(202);
      expect(second.json().order_id).not.toBe(first.json().order_id);
    });
  });

  describe('following the catalog', () => {
    it('when a price changes, then the cart shows the new price and total', async () => {
      await catalog.product(10, 1, { name: 'Leash', price: '8.00', stock: 10 });
      await add(alice, 10, 3);
      await catalog.product(10, 2, { name: 'Red leash', price: '9.99', stock: 10 });
      expect((await call('GET', '/', alice)).json()).toMatchObject({
        items: [{ product_id: 10, name: 'Red leash', unit_price: '9.99', subtotal: '29.97' }],
        total: '29.97',
      });
    });

    it('when a product is deleted, then its line shows available:false and checkout is refused', async () => {
      await catalog.product(11, 1, { name: 'Ball', price: '2.00', stock: 10 });
      await add(alice, 11, 1);
      await add(alice, 1, 1);
      await catalog.deleteProduct(11, 2);
      const cart = (await call('GET', '/', alice)).json();
      expect(cart.items).toMatchObject([
        { product_id: 11, name: 'Ball', available: false },
        { product_id: 1, available: true },
      ]);
      const response = await call('POST', '/checkout', alice);
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('CART.UNAVAILABLE_ITEMS');
      expect((await call('GET', '/', alice)).json().items).toHaveLength(2);
      expect((await add(bob, 11, 1)).statusCode).toBe(404);
      expect((await call('PATCH', '/items/11', alice, { quantity: 1 })).statusCode).toBe(409);
      expect((await call('DELETE', '/items/11', alice)).statusCode).toBe(200);
      expect((await call('POST', '/checkout', alice)).statusCode).toBe(202);
    });

    it('when stock falls below a line, then the line is unavailable and checkout is refused until it is lowered', async () => {
      await catalog.product(12, 1, { stock: 5 });
      await add(alice, 12, 4);
      await catalog.product(12, 2, { stock: 2 });
      expect((await call('GET', '/', alice)).json().items[0]).toMatchObject({
        quantity: 4,
        available: false,
      });
      expect((await call('POST', '/checkout', alice)).statusCode).toBe(409);
      expect((await call('PATCH', '/items/12', alice, { quantity: 2 })).json().items[0].available).toBe(true);
      expect((await call('POST', '/checkout', alice)).statusCode).toBe(202);
    });

    it('when a category is renamed or deleted, then category_name follows', async () => {
      await catalog.category(5, 1, 'Toys');
      await catalog.product(13, 1, { category_id: 5 });
      await add(alice, 13, 1);
      expect((await call('GET', '/', alice)).json().items[0].category_name).toBe('Toys');
      await catalog.category(5, 2, 'Dog toys');
      expect((await call('GET', '/', alice)).json().items[0].category_name).toBe('Dog toys');
      await catalog.category(5, 1, 'Toys');
      expect((await call('GET', '/', alice)).json().items[0].category_name).toBe('Dog toys');
      await catalog.deleteCategory(5, 3);
      await catalog.category(5, 2, 'Dog toys');
      expect((await call('GET', '/', alice)).json().items[0].category_name).toBeNull();
    });

    it('when product events arrive out of order, then the newest version wins', async () => {
      await catalog.product(14, 3, { name: 'Newest', price: '3.00' }, 'product.updated');
      await catalog.product(14, 1, { name: 'Oldest', price: '1.00' }, 'product.created');
      await catalog.product(14, 2, { name: 'Middle', price: '2.00' });
      expect((await add(alice, 14, 1)).json().items[0]).toMatchObject({ name: 'Newest', unit_price: '3.00' });
    });

    it('when an older update arrives after a delete, then the product stays deleted', async () => {
      await catalog.product(15, 1, {});
      await catalog.deleteProduct(15, 3);
      await catalog.product(15, 2, {});
      expect((await add(alice, 15, 1)).statusCode).toBe(404);
    });

    it('when a delete arrives before the product was ever known, then the later creation does not revive it', async () => {
      await catalog.deleteProduct(16, 2);
      await catalog.product(16, 1, {});
      expect((await add(alice, 16, 1)).statusCode).toBe(404);
    });

    it('when the same event is delivered twice, then it is applied once', async () => {
      await catalog.product(17, 1, { price: '1.00' });
      await catalog.product(17, 2, { price: '2.00' });
      const [update] = (await catalog.events('product_events')).filter(
        (event) => event.message.product_id === 17 && event.message.version === 2,
      );
      await catalog.product(17, 3, { price: '3.00' });
      await catalog.redeliver('product_events', 'product.updated', update!.message);
      expect((await add(alice, 17, 1)).json().items[0].unit_price).toBe('3.00');
    });
  });
});
