import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  deliver,
} from './catalog.fixture.js';

let catalog: CatalogTest;
let category: number;
let nextReviewId = 1;
beforeAll(async () => {
  catalog = await buildCatalogApp();
  category = (await createCategory(catalog, { name: 'Rated' })).id;
});
afterAll(async () => catalog.t.close());

const review = (routingKey: string, version: number, reviewId: number, productId: number, rating: number) =>
  deliver(catalog.t, 'review_events', routingKey, version, {
    review_id: reviewId,
    product_id: productId,
    user_id: reviewId + 100,
    rating,
  });

const ratingOf = async (productId: number) => {
  const product = (await catalog.t.app.inject({ method: 'GET', url: `/api/products/${productId}` })).json();
  return [product.rating_avg, product.rating_count];
};

describe('rating_avg and rating_count, kept from review events', () => {
  it('when reviews are created, then the average has one decimal', async () => {
    const product = await createProduct(catalog, { name: 'Thirds', category });
    for (const rating of [4, 4, 5]) await review('review.created', 1, nextReviewId++, product.id, rating);
    expect(await ratingOf(product.id)).toEqual([4.3, 3]);
  });

  it('when a review is updated and another deleted, then the rating is recomputed', async () => {
    const product = await createProduct(catalog, { name: 'Changing', category });
    const first = nextReviewId++;
    const second = nextReviewId++;
    await review('review.created', 1, first, product.id, 2);
    await review('review.created', 1, second, product.id, 3);
    expect(await ratingOf(product.id)).toEqual([2.5, 2]);
    await review('review.updated', 2, first, product.id, 5);
    expect(await ratingOf(product.id)).toEqual([4, 2]);
    await review('review.deleted', 2, second, product.id, 3);
    expect(await ratingOf(product.id)).toEqual([5, 1]);
    await review('review.deleted', 3, first, product.id, 5);
    expect(await ratingOf(product.id)).toEqual([null, 0]);
  });

  it('when an older revision arrives after a newer one, then it is ignored', async () => {
    const product = await createProduct(catalog, { name: 'Out of Order', category });
    const reviewId = nextReviewId++;
    await review('review.updated', 3, reviewId, product.id, 1);
    await review('review.created', 1, reviewId, product.id, 5);
    await review('review.updated', 2, reviewId, product.id, 4);
    expect(await ratingOf(product.id)).toEqual([1, 1]);
    await review('review.deleted', 4, reviewId, product.id, 1);
    await review('review.updated', 3, reviewId, product.id, 5);
    expect(await ratingOf(product.id)).toEqual([null, 0]);
  });

  it('when the same event is delivered twice, then it counts once', async () => {
    const product = await createProduct(catalog, { name: 'Twice Rated', category });
    const message = await review('review.created', 1, nextReviewId++, product.id, 2);
    await catalog.t.app.platform.events.bus.publish('review_events', 'review.created', message);
    expect(await ratingOf(product.id)).toEqual([2, 1]);
  });

  it('when ratings change, then the product version and events do not move', async () => {
    const product = await createProduct(catalog, { name: 'Quiet', category });
    await review('review.created', 1, nextReviewId++, product.id, 5);
    const patched = await catalog.t.app.inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { stock: 3 },
    });
    expect(patched.json()).toMatchObject({ rating_avg: 5, rating_count: 1, stock: 3 });
  });
});
