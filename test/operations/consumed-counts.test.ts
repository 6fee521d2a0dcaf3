import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { adminEvents, queueStatus } from './admin-events-client.js';
import { runEventsInProcess } from './events-cli-run.js';

/**
 * The status's CONSUMED column counts what the consumers handled, read models included: those are
 * version-guarded and keep no inbox row, so counting the inbox said 0 for them.
 */
describe('consumed counts in the events status', () => {
  let t: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await t.bearer({ id: 1, isStaff: true });
  });
  afterAll(() => t.close());

  async function createProduct(category: number, name: string): Promise<void> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/products',
      headers: admin,
      payload: { name, description: 'dry food', price: '9.90', category, animal_type: 'dog' },
    });
    expect(response.statusCode).toBe(201);
  }

  it('when the catalog changes, then every queue that took its events counts them, read models without an inbox too, and a swept inbox changes nothing', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/categories',
      headers: admin,
      payload: { name: 'Dogs' },
    });
    expect(created.statusCode).toBe(201);
    await t.settle();
    await createProduct(created.json().id, 'Kibble');
    await createProduct(created.json().id, 'Bone');
    await t.settle();

    const status = await adminEvents(t, admin).status();
    // Read models: version-guarded, no inbox row.
    expect(queueStatus(status, 'cart.product_events').consumed).toBe(2);
    expect(queueStatus(status, 'cart.category_events').consumed).toBe(1);
    expect(queueStatus(status, 'categories.product_events').consumed).toBe(2);
    expect(queueStatus(status, 'products.category_events').consumed).toBe(1);
    expect(status.totals.consumed).toBeGreaterThanOrEqual(6);

    await t.database.db.execute(sql`delete from platform.inbox`);
    const after = await adminEvents(t, admin).status();
    expect(after.totals.consumed).toBe(status.totals.consumed);

    if (t.database.kind === 'postgres') {
      const cli = await runEventsInProcess(['status', '--json'], {
        env: { DATABASE_URL: t.testDatabase.url },
      });
      expect(cli.code).toBe(0);
      expect(JSON.parse(cli.stdout).totals.consumed).toBe(status.totals.consumed);
    }
  });
});
