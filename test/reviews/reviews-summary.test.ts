import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { postReview, productCreated, upstreamModules } from './upstream-events.js';

describe('reviews: the summary of a product', () => {
  let t: TestApp;
  let product = 400;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
  });
  afterAll(async () => t.close());

  const summary = async (productId: number | string) =>
    t.app.inject({ method: 'GET', url: `/api/reviews/summary?product=${productId}` });

  /** A fresh product reviewed once by a different user per rating given. */
  async function productRated(ratings: number[]): Promise<number> {
    product += 1;
    await productCreated(t, product);
    for (const [index, rating] of ratings.entries()) {
      const response = await postReview(t, 1000 + index, {
        product_id: product,
        rating,
        comment: `${rating} stars`,
      });
      expect(response.statusCode).toBe(201);
    }
    return product;
  }

  it('when a known product has no reviews, then the average is null and every count 0', async () => {
    const id = await productRated([]);
    const response = await summary(id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      product_id: id,
      average: null,
      count: 0,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
    });
  });

  it.each([
    [[5], 5, { '5': 1 }],
    [[4, 5], 4.5, { '4': 1, '5': 1 }],
    [[4, 4, 5], 4.3, { '4': 2, '5': 1 }],
    [[4, 5, 5], 4.7, { '4': 1, '5': 2 }],
    [[3, 4, 4, 4], 3.8, { '3': 1, '4': 3 }],
    [[1, 1, 1, 2], 1.3, { '1': 3, '2': 1 }],
    [[1, 2, 2, 2, 2, 2, 2, 2], 1.9, { '1': 1, '2': 7 }],
    [[1, 2, 3, 4, 5], 3, { '1': 1, '2': 1, '3': 1, '4': 1, '5': 1 }],
    [[2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3], 2.1, { '2': 19, '3': 1 }],
  ])(
    'when the ratings are %j, then the average is %d (one decimal, half up)',
    async (ratings, average, counts) => {
      const id = await productRated(ratings);
      expect((await summary(id)).json()).toEqual({
        product_id: id,
        average,
        count: ratings.length,
        distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0, ...counts },
      });
    },
  );

  it('when reviews are changed and deleted, then the summary follows', async () => {
    const id = await productRated([5, 1]);
    const listed = (
      await t.app.inject({ method: 'GET', url: `/api/reviews?product=${id}&ordering=rating` })
    ).json();
    const [low, high] = listed.results;
    await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${low.id}`,
      headers: await t.bearer({ id: low.user_id }),
      payload: { rating: 2 },
    });
    expect((await summary(id)).json()).toMatchObject({
      average: 3.5,
      count: 2,
      distribution: { '2': 1, '5': 1 },
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/api/reviews/${high.id}`,
      headers: await t.bearer({ id: 1, isStaff: true }),
    });
    expect((await summary(id)).json()).toMatchObject({
      average: 2,
      count: 1,
      distribution: { '1': 0, '2': 1, '3': 0, '4': 0, '5': 0 },
    });
  });

  it('when the product is unknown, then it is a 404; when it is missing or not an id, then a 400', async () => {
    expect((await summary(987_654)).json()).toMatchObject({ status: 404, code: 'REVIEWS.PRODUCT_NOT_FOUND' });
    const missing = await t.app.inject({ method: 'GET', url: '/api/reviews/summary' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors).toEqual([expect.objectContaining({ path: 'querystring.product' })]);
    expect((await summary('abc')).statusCode).toBe(400);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/reviews/summary/?product=1&x=1' })).statusCode,
    ).toBe(400);
  });
});
