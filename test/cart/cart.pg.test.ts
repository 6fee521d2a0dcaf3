import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cartModule } from '../../src/modules/cart/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { FakeCatalog, fakeProductsModule } from './fake-catalog.js';

/** The cart's limits under races, on real PostgreSQL (PGlite would serialise them by accident). */
describe('cart under concurrency', () => {
  let t: TestApp;
  let catalog: FakeCatalog;
  let nextUser = 10;

  beforeAll(async () => {
    t = await buildTestApp({ modules: [cartModule, fakeProductsModule], config: { DATABASE_POOL_SIZE: 8 } });
    catalog = new FakeCatalog(t);
    for (let id = 1; id <= 60; id++) await catalog.product(id, 1, { stock: 1000 });
  });
  afterAll(async () => t.close());

  const add = (headers: object, product_id: number, quantity: number) =>
    t.app.inject({
      method: 'POST',
      url: '/api/cart/items',
      headers: { ...headers },
      payload: { product_id, quantity },
    });
  const codes = (responses: { statusCode: number }[]) => responses.map((response) => response.statusCode);

  it('when 60 different products are added at once, then exactly 50 lines are kept', async () => {
    const user = await t.bearer({ id: nextUser++ });
    const responses = await Promise.all(Array.from({ length: 60 }, (_, index) => add(user, index + 1, 1)));
    expect(codes(responses).filter((code) => code === 201)).toHaveLength(50);
    expect(codes(responses).filter((code) => code === 409)).toHaveLength(10);
    const cart = await t.app.inject({ method: 'GET', url: '/api/cart', headers: user });
    expect(cart.json().items).toHaveLength(50);
  });

  it('when one product is added twenty times at once, then no addition is lost and the line stops at 99', async () => {
    const user = await t.bearer({ id: nextUser++ });
    const responses = await Promise.all(Array.from({ length: 20 }, () => add(user, 1, 10)));
    expect(codes(responses).filter((code) => code === 201)).toHaveLength(9);
    const cart = await t.app.inject({ method: 'GET', url: '/api/cart', headers: user });
    expect(cart.json().items).toMatchObject([{ product_id: 1, quantity: 90 }]);
  });

  it('when a cart is checked out ten times at once, then one checkout happens', async () => {
    const user = await t.bearer({ id: nextUser++ });
    await add(user, 1, 2);
    const before = (await catalog.events('cart_events')).length;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.app.inject({ method: 'POST', url: '/api/cart/checkout', headers: user }),
      ),
    );
    expect(codes(responses).sort()).toEqual([202, ...Array(9).fill(409)]);
    expect(await catalog.events('cart_events')).toHaveLength(before + 1);
  });
});
