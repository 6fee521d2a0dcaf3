import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { queryRows } from '../../src/platform/db/database.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { postReview, productCreated, upstreamModules } from './upstream-events.js';

describe('reviews: concurrent writes on PostgreSQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
    await productCreated(t, 601);
  });
  afterAll(async () => t.close());

  it('when the same user posts the same review many times at once, then one is 201 and the rest 409', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        postReview(t, 7, { product_id: 601, rating: (index % 5) + 1, comment: `try ${index}` }),
      ),
    );
    const statuses = attempts.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, ...Array(11).fill(409)]);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/reviews?product=601' })).json();
    expect(listed.count).toBe(1);
  });

  it('when the author edits concurrently, then every edit lands in turn and the version counts them', async () => {
    const created = (await postReview(t, 8, { product_id: 601, rating: 1, comment: 'start' })).json();
    const headers = await t.bearer({ id: 8 });
    const edits = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        t.app.inject({
          method: 'PATCH',
          url: `/api/reviews/${created.id}`,
          headers,
          payload: { rating: (index % 5) + 1 },
        }),
      ),
    );
    expect(edits.every((response) => response.statusCode === 200)).toBe(true);
    const versions = await queryRows<{ version: number }>(
      t.database.db,
      sql`select (message->>'version')::int as version from platform.outbox
          where exchange = 'review_events' and (message->>'review_id')::int = ${created.id} order by 1`,
    );
    expect(versions.map((row) => row.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
