import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { ShopClient } from './saga-client.js';

/** The last units raced for by many buyers at once, on real PostgreSQL with handlers running in parallel. */
describe('overselling', () => {
  let t: TestApp;
  let shop: ShopClient;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await buildTestApp({ config: { EVENT_PREFETCH: 20, DATABASE_POOL_SIZE: 10 } });
    admin = await t.bearer({ id: 1, isStaff: true });
    shop = new ShopClient(t, admin);
  });
  afterAll(async () => t.close());

  it('when 100 customers order the last 10 units at once, then exactly 10 orders are confirmed and stock ends at 0', async () => {
    const category = await shop.category('Fish');
    const tank = await shop.product(category, 'Tank', '99.00', 10);
    const customers = await Promise.all(
      Array.from({ length: 100 }, (_, index) => t.bearer({ id: 1000 + index })),
    );
    const placed = await Promise.all(
      customers.map((headers) =>
        t.app.inject({
          method: 'POST',
          url: '/api/orders',
          headers,
          payload: { items: [{ product_id: tank, quantity: 1 }] },
        }),
      ),
    );
    expect(placed.every((response) => response.statusCode === 201)).toBe(true);
    await t.settle();
    const count = async (status: string) =>
      (await shop.request('GET', `/api/orders?status=${status}&limit=1`, admin)).json().count;
    expect(await count('confirmed')).toBe(10);
    expect(await count('rejected')).toBe(90);
    expect(await count('pending')).toBe(0);
    expect(await shop.stockOf(tank)).toBe(0);
  });
});
