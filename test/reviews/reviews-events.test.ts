import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { queryRows } from '../../src/platform/db/database.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { postReview, productCreated, upstreamModules } from './upstream-events.js';

interface Sent {
  routing_key: string;
  message: Record<string, unknown>;
}

describe('reviews: the events it publishes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
    await productCreated(t, 501);
  });
  afterAll(async () => t.close());

  const sent = () =>
    queryRows<Sent>(
      t.database.db,
      sql`select routing_key, message from platform.outbox where exchange = 'review_events' order by id`,
    );

  it('when a review is created, changed and deleted, then one event each is written with a growing version', async () => {
    const created = (await postReview(t, 7, { product_id: 501, rating: 2, comment: 'hm' })).json();
    const headers = await t.bearer({ id: 7 });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${created.id}`,
      headers,
      payload: { rating: 4 },
    });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${created.id}`,
      headers,
      payload: { comment: 'ok' },
    });
    await t.app.inject({ method: 'DELETE', url: `/api/reviews/${created.id}`, headers });
    await t.settle();
    const payload = { review_id: created.id, product_id: 501, user_id: 7 };
    expect((await sent()).map((row) => [row.routing_key, row.message])).toEqual([
      [
        'review.created',
        expect.objectContaining({ ...payload, rating: 2, version: 1, event: 'review_created' }),
      ],
      [
        'review.updated',
        expect.objectContaining({ ...payload, rating: 4, version: 2, event: 'review_updated' }),
      ],
      ['review.updated', expect.objectContaining({ ...payload, rating: 4, version: 3 })],
      [
        'review.deleted',
        expect.objectContaining({ ...payload, rating: 4, version: 4, event: 'review_deleted' }),
      ],
    ]);
    const [first] = await sent();
    expect(Object.keys(first!.message).sort()).toEqual(
      ['event', 'event_id', 'product_id', 'rating', 'review_id', 'timestamp', 'user_id', 'version'].sort(),
    );
  });

  it('when a write is refused, then no event is written', async () => {
    const before = (await sent()).length;
    await postReview(t, 8, { product_id: 999, rating: 2, comment: 'unknown product' });
    const created = (await postReview(t, 8, { product_id: 501, rating: 2, comment: 'hm' })).json();
    await postReview(t, 8, { product_id: 501, rating: 3, comment: 'duplicate' });
    await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${created.id}`,
      headers: await t.bearer({ id: 9 }),
      payload: { rating: 5 },
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/api/reviews/${created.id}`,
      headers: await t.bearer({ id: 9 }),
    });
    expect((await sent()).length).toBe(before + 1);
  });

  it('when the event catalogue is read, then it lists the three review events', async () => {
    const catalogue = (await t.app.inject({ method: 'GET', url: '/docs/asyncapi.json' })).json();
    const channels = Object.keys(catalogue.channels).filter((name) => name.startsWith('review_events/'));
    expect(channels.sort()).toEqual([
      'review_events/review.created',
      'review_events/review.deleted',
      'review_events/review.updated',
    ]);
  });
});
