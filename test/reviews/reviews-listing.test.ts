import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { emit, postReview, productCreated, productDeleted, upstreamModules } from './upstream-events.js';

interface Listed {
  id: number;
  product_id: number;
  user_id: number;
  rating: number;
}

describe('reviews: listing, filters, ordering and deleted products', () => {
  let t: TestApp;
  const ids: number[] = [];
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
    for (const product of [201, 202, 203]) await productCreated(t, product);
    // [user, product, rating], written in this order
    const rows = [
      [1, 201, 3],
      [2, 201, 5],
      [3, 201, 3],
      [1, 202, 1],
      [2, 202, 5],
      [4, 203, 4],
    ] as const;
    for (const [user, product, rating] of rows) {
      const response = await postReview(t, user, {
        product_id: product,
        rating,
        comment: `u${user} p${product}`,
      });
      ids.push(response.json().id);
    }
  });
  afterAll(async () => t.close());

  const list = async (query: string) => t.app.inject({ method: 'GET', url: `/api/reviews${query}` });
  const idsOf = (body: { results: Listed[] }) => body.results.map((review) => review.id);

  it('when listing with no parameters, then every review comes newest first in a page', async () => {
    const response = await list('/');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ count: 6, next: null, previous: null });
    expect(idsOf(response.json())).toEqual([...ids].reverse());
  });

  it('when filtering by product or user, then only those reviews are listed', async () => {
    const byProduct = (await list('?product=201')).json();
    expect(byProduct.count).toBe(3);
    expect(byProduct.results.every((review: Listed) => review.product_id === 201)).toBe(true);
    const byUser = (await list('?user=2')).json();
    expect(idsOf(byUser)).toEqual([ids[4], ids[1]]);
    const both = (await list('?user=1&product=202')).json();
    expect(idsOf(both)).toEqual([ids[3]]);
    const none = await list('?product=999');
    expect(none.statusCode).toBe(200);
    expect(none.json()).toMatchObject({ count: 0, results: [] });
  });

  it('when ordering by rating, then ties are broken newest first, the same on every call', async () => {
    const ascending = (await list('?ordering=rating')).json();
    expect(ascending.results.map((review: Listed) => review.rating)).toEqual([1, 3, 3, 4, 5, 5]);
    expect(idsOf(ascending)).toEqual([ids[3], ids[2], ids[0], ids[5], ids[4], ids[1]]);
    const descending = (await list('?ordering=-rating')).json();
    expect(idsOf(descending)).toEqual([ids[4], ids[1], ids[5], ids[2], ids[0], ids[3]]);
    expect(idsOf((await list('?ordering=created_at')).json())).toEqual(ids);
    expect(idsOf((await list('?ordering=-created_at')).json())).toEqual([...ids].reverse());
  });

  it.each([
    '?ordering=price',
    '?ordering=id',
    '?ordering=',
    '?ordering=rating;drop table reviews.reviews',
    '?product=abc',
    '?product=0',
    '?user=-1',
    '?page=0',
    '?page=1.5',
    '?limit=x',
    '?color=red',
  ])('when the query is %s, then it is a 400', async (query) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('when paging, then next and previous keep the filters and a page past the end is empty', async () => {
    const first = (await list('?ordering=rating&limit=4')).json();
    expect(first.results).toHaveLength(4);
    expect(first.previous).toBeNull();
    const nextUrl = new URL(first.next);
    expect(Object.fromEntries(nextUrl.searchParams)).toEqual({ ordering: 'rating', page: '2', limit: '4' });
    const second = (await list(`${nextUrl.pathname}${nextUrl.search}`.replace('/api/reviews', ''))).json();
    expect(idsOf(second)).toEqual([ids[4], ids[1]]);
    expect(second.next).toBeNull();
    const past = await list('?page=9');
    expect(past.statusCode).toBe(200);
    expect(past.json()).toMatchObject({ count: 6, results: [] });
    expect((await list('?limit=1000')).statusCode).toBe(200);
  });

  it('when a product is deleted, then its reviews disappear from listings, reads, summary and writes', async () => {
    const reviewOfDeleted = ids[5]!;
    await productDeleted(t, 203, 2);
    const all = (await list('/')).json();
    expect(all.count).toBe(5);
    expect(idsOf(all)).not.toContain(reviewOfDeleted);
    expect((await list('?product=203')).json()).toMatchObject({ count: 0, results: [] });
    expect((await list('?user=4')).json()).toMatchObject({ count: 0, results: [] });
    expect((await list(`/${reviewOfDeleted}`)).statusCode).toBe(404);
    expect((await list('/summary?product=203')).statusCode).toBe(404);
    const author = await t.bearer({ id: 4 });
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${reviewOfDeleted}`,
      headers: author,
      payload: { rating: 1 },
    });
    expect(patch.statusCode).toBe(404);
    expect((await postReview(t, 5, { product_id: 203, rating: 4, comment: 'late' })).statusCode).toBe(404);
  });

  it('when an older product.updated arrives after the delete, then the product stays deleted', async () => {
    await productCreated(t, 203, 1);
    await emit(t, 'product_events', 'product.updated', 1, {
      product_id: 203,
      name: 'stale',
      description: '',
      price: '1.00',
      category_id: 1,
      animal_type: 'dog',
      stock: 3,
    });
    expect((await list('?product=203')).json().count).toBe(0);
    expect((await postReview(t, 5, { product_id: 203, rating: 4, comment: 'late' })).statusCode).toBe(404);
  });
});
