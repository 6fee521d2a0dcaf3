import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productsModule } from '../../src/modules/products/index.js';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { queryRows } from '../../src/platform/db/database.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { postReview } from './upstream-events.js';

/** Categories stand-in: products needs a known category before it accepts a product. */
const fakeCategories: ModuleDefinition = {
  name: 'fake-categories',
  publishes: { exchange: 'category_events', events: [] },
  consumes: [],
  async register() {},
};

describe('reviews → products: rating_avg and rating_count converge to the summary', () => {
  let t: TestApp;
  let admin: { authorization: string };
  let productId: number;

  beforeAll(async () => {
    t = await buildTestApp({ modules: [productsModule, reviewsModule, fakeCategories] });
    admin = await t.bearer({ id: 1, isStaff: true });
    await recordEvents(t.database.db, [
      {
        exchange: 'category_events',
        routingKey: 'category.created',
        version: 1,
        payload: { category_id: 1, name: 'Dogs', slug: 'dogs', description: '', parent_id: null },
      },
    ]);
    await t.settle();
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/products',
      headers: admin,
      payload: {
        name: 'Leash',
        description: 'Strong',
        price: '12.50',
        category: 1,
        animal_type: 'dog',
        stock: 5,
      },
    });
    expect(created.statusCode).toBe(201);
    productId = created.json().id;
    await t.settle();
  });
  afterAll(async () => t.close());

  async function expectConverged(expected: { average: number | null; count: number }): Promise<void> {
    await t.settle();
    const summary = (
      await t.app.inject({ method: 'GET', url: `/api/reviews/summary?product=${productId}` })
    ).json();
    expect({ average: summary.average, count: summary.count }).toEqual(expected);
    const product = (await t.app.inject({ method: 'GET', url: `/api/products/${productId}` })).json();
    expect({ average: product.rating_avg, count: product.rating_count }).toEqual(expected);
  }

  const reviewEvent = async (reviewId: number, routingKey: string): Promise<EventEnvelope> => {
    const [row] = await queryRows<{ message: EventEnvelope }>(
      t.database.db,
      sql`select message from platform.outbox where exchange = 'review_events' and routing_key = ${routingKey}
          and (message->>'review_id')::int = ${reviewId} order by id desc limit 1`,
    );
    return row!.message;
  };
  const redeliver = (routingKey: string, envelope: EventEnvelope) =>
    t.app.platform.events.bus.publish('review_events', routingKey, envelope);

  const ids: number[] = [];

  it('when a product has no reviews, then both say null and 0', async () => {
    await expectConverged({ average: null, count: 0 });
  });

  it('when reviews are created, then the product follows the summary (3.75 rounds to 3.8)', async () => {
    for (const [user, rating] of [
      [11, 3],
      [12, 4],
      [13, 4],
      [14, 4],
    ] as const) {
      const response = await postReview(t, user, { product_id: productId, rating, comment: 'c' });
      expect(response.statusCode).toBe(201);
      ids.push(response.json().id);
    }
    await expectConverged({ average: 3.8, count: 4 });
  });

  it('when a review is updated, then the product follows', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${ids[0]}`,
      headers: await t.bearer({ id: 11 }),
      payload: { rating: 1 },
    });
    expect(response.statusCode).toBe(200);
    await expectConverged({ average: 3.3, count: 4 });
  });

  it('when an update is delivered twice more, then nothing moves', async () => {
    const updated = await reviewEvent(ids[0]!, 'review.updated');
    await redeliver('review.updated', updated);
    await redeliver('review.updated', updated);
    await expectConverged({ average: 3.3, count: 4 });
  });

  it('when an older event of the review is redelivered after the update, then the newer rating stays', async () => {
    const created = await reviewEvent(ids[0]!, 'review.created');
    await redeliver('review.created', created);
    await expectConverged({ average: 3.3, count: 4 });
    // The same old revision under a new event_id gets past the inbox: only the version check stops it.
    await redeliver('review.created', { ...created, event_id: randomUUID() });
    await expectConverged({ average: 3.3, count: 4 });
  });

  it('when reviews are deleted by author and admin, then the product follows', async () => {
    const byAuthor = await t.app.inject({
      method: 'DELETE',
      url: `/api/reviews/${ids[1]}`,
      headers: await t.bearer({ id: 12 }),
    });
    expect(byAuthor.statusCode).toBe(204);
    await expectConverged({ average: 3, count: 3 });
    const byAdmin = await t.app.inject({ method: 'DELETE', url: `/api/reviews/${ids[2]}`, headers: admin });
    expect(byAdmin.statusCode).toBe(204);
    await expectConverged({ average: 2.5, count: 2 });
  });

  it('when a deleted review’s events are redelivered, then it is not counted again', async () => {
    await redeliver('review.deleted', await reviewEvent(ids[1]!, 'review.deleted'));
    const created = await reviewEvent(ids[1]!, 'review.created');
    await redeliver('review.created', created);
    await redeliver('review.created', { ...created, event_id: randomUUID() });
    await expectConverged({ average: 2.5, count: 2 });
  });

  it('when every review is deleted, then both say null and 0 again', async () => {
    for (const [index, user] of [
      [0, 11],
      [3, 14],
    ] as const) {
      const response = await t.app.inject({
        method: 'DELETE',
        url: `/api/reviews/${ids[index]}`,
        headers: await t.bearer({ id: user }),
      });
      expect(response.statusCode).toBe(204);
    }
    await expectConverged({ average: null, count: 0 });
  });
});
