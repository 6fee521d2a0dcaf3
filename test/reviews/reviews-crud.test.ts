import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewsModule } from '../../src/modules/reviews/index.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { postReview, productCreated, upstreamModules, userChanged } from './upstream-events.js';

const PRODUCT = 101;
const OTHER_PRODUCT = 102;

describe('reviews: writing, reading, changing and deleting', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [reviewsModule, ...upstreamModules] });
    await productCreated(t, PRODUCT);
    await productCreated(t, OTHER_PRODUCT);
    await userChanged(t, { id: 7, username: 'ana', version: 1 });
  });
  afterAll(async () => t.close());

  it('when a user reviews a known product, then it is 201 with the whole review', async () => {
    const response = await postReview(t, 7, {
      product_id: PRODUCT,
      rating: 4,
      title: 'Good leash',
      comment: 'Strong and light.',
    });
    expect(response.statusCode).toBe(201);
    const review = response.json();
    expect(review).toEqual({
      id: expect.any(Number),
      product_id: PRODUCT,
      user_id: 7,
      username: 'ana',
      rating: 4,
      title: 'Good leash',
      comment: 'Strong and light.',
      verified_purchase: false,
      created_at: expect.any(String),
      updated_at: review.created_at,
    });
    expect(new Date(review.created_at).toISOString()).toBe(review.created_at);

    const read = await t.app.inject({ method: 'GET', url: `/api/reviews/${review.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(review);
  });

  it('when the title is left out, then the review has an empty title', async () => {
    const response = await postReview(t, 8, { product_id: PRODUCT, rating: 5, comment: 'Fine.' });
    expect(response.statusCode).toBe(201);
    expect(response.json().title).toBe('');
  });

  it('when the comment holds markup, then it is stored and returned as the very same text', async () => {
    const comment = '<script>alert("x")</script> & <b>bold</b> \'quoted\' ✓';
    const title = '<img src=x onerror=alert(1)>';
    const created = await postReview(t, 9, { product_id: PRODUCT, rating: 3, title, comment });
    expect(created.statusCode).toBe(201);
    expect(created.headers['content-type']).toContain('application/json');
    expect(created.json()).toMatchObject({ title, comment });
    const read = await t.app.inject({ method: 'GET', url: `/api/reviews/${created.json().id}` });
    expect(read.json()).toMatchObject({ title, comment });
    const listed = await t.app.inject({ method: 'GET', url: '/api/reviews?user=9' });
    expect(listed.json().results[0]).toMatchObject({ title, comment });
  });

  it('when nobody is signed in, then writing is 401 and reading is allowed', async () => {
    const post = await t.app.inject({
      method: 'POST',
      url: '/api/reviews',
      payload: { product_id: PRODUCT, rating: 4, comment: 'x' },
    });
    expect(post.statusCode).toBe(401);
    expect(post.headers['content-type']).toContain('application/problem+json');
    const patch = await t.app.inject({ method: 'PATCH', url: '/api/reviews/1', payload: { rating: 1 } });
    expect(patch.statusCode).toBe(401);
    const remove = await t.app.inject({ method: 'DELETE', url: '/api/reviews/1' });
    expect(remove.statusCode).toBe(401);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/reviews',
      headers: { authorization: 'Bearer not-a-token' },
      payload: { product_id: PRODUCT, rating: 4, comment: 'x' },
    });
    expect(bad.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/reviews' })).statusCode).toBe(200);
  });

  it.each([
    ['0', 0],
    ['6', 6],
    ['2.5', 2.5],
    ['the string "5"', '5'],
    ['null', null],
  ])('when the rating is %s, then it is a 400 naming body.rating', async (_, rating) => {
    const response = await postReview(t, 20, { product_id: OTHER_PRODUCT, rating, comment: 'x' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.rating' }] });
  });

  it.each([
    ['no rating', { product_id: OTHER_PRODUCT, comment: 'x' }, 'body.rating'],
    ['no comment', { product_id: OTHER_PRODUCT, rating: 3 }, 'body.comment'],
    ['an empty comment', { product_id: OTHER_PRODUCT, rating: 3, comment: '' }, 'body.comment'],
    [
      'a comment over 5000 characters',
      { product_id: OTHER_PRODUCT, rating: 3, comment: 'a'.repeat(5001) },
      'body.comment',
    ],
    [
      'a title over 200 characters',
      { product_id: OTHER_PRODUCT, rating: 3, comment: 'x', title: 't'.repeat(201) },
      'body.title',
    ],
    ['no product', { rating: 3, comment: 'x' }, 'body.product_id'],
    [
      'a product id as a string',
      { product_id: String(OTHER_PRODUCT), rating: 3, comment: 'x' },
      'body.product_id',
    ],
    ['an unknown field', { product_id: OTHER_PRODUCT, rating: 3, comment: 'x', user_id: 1 }, 'body.user_id'],
    [
      'a verified_purchase claim',
      { product_id: OTHER_PRODUCT, rating: 3, comment: 'x', verified_purchase: true },
      'body.verified_purchase',
    ],
  ])('when the body has %s, then it is a 400 naming the field', async (_, body, path) => {
    const response = await postReview(t, 20, body);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([expect.objectContaining({ path })]);
  });

  it('when the limits are met exactly, then the review is accepted', async () => {
    const response = await postReview(t, 21, {
      product_id: OTHER_PRODUCT,
      rating: 1,
      title: 't'.repeat(200),
      comment: 'a'.repeat(5000),
    });
    expect(response.statusCode).toBe(201);
  });

  it('when the product is unknown, then it is a 404', async () => {
    const response = await postReview(t, 7, { product_id: 999_999, rating: 4, comment: 'x' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'REVIEWS.PRODUCT_NOT_FOUND' });
  });

  it('when the same user reviews the same product again, then it is a 409 and the first stays', async () => {
    const first = await postReview(t, 30, { product_id: OTHER_PRODUCT, rating: 2, comment: 'meh' });
    expect(first.statusCode).toBe(201);
    const second = await postReview(t, 30, {
      product_id: OTHER_PRODUCT,
      rating: 5,
      comment: 'changed my mind',
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'REVIEWS.DUPLICATE', status: 409 });
    const mine = await t.app.inject({ method: 'GET', url: `/api/reviews?user=30&product=${OTHER_PRODUCT}` });
    expect(mine.json()).toMatchObject({ count: 1, results: [{ rating: 2, comment: 'meh' }] });
    const another = await postReview(t, 30, { product_id: PRODUCT, rating: 5, comment: 'other product' });
    expect(another.statusCode).toBe(201);
  });

  it('when a review id is unknown or not an id, then it is 404 or 400', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/reviews/987654' })).json()).toMatchObject({
      status: 404,
      code: 'REVIEWS.NOT_FOUND',
    });
    expect((await t.app.inject({ method: 'GET', url: '/api/reviews/abc' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/reviews/0' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/reviews/99999999999' })).statusCode).toBe(400);
  });

  it('when the author changes the review, then the new values come back and updated_at moves', async () => {
    const created = (
      await postReview(t, 40, { product_id: PRODUCT, rating: 2, title: 'Hm', comment: 'Too small' })
    ).json();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${created.id}/`,
      headers: await t.bearer({ id: 40 }),
      payload: { rating: 4, comment: 'Exchanged for a larger one: <great>' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id: created.id,
      rating: 4,
      title: 'Hm',
      comment: 'Exchanged for a larger one: <great>',
      created_at: created.created_at,
    });
    expect(Date.parse(patched.json().updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    const titleOnly = await t.app.inject({
      method: 'PATCH',
      url: `/api/reviews/${created.id}`,
      headers: await t.bearer({ id: 40 }),
      payload: { title: '' },
    });
    expect(titleOnly.json()).toMatchObject({ rating: 4, title: '' });
  });

  it('when someone else, even an admin, changes the review, then it is a 403 and nothing changes', async () => {
    const created = (await postReview(t, 41, { product_id: PRODUCT, rating: 5, comment: 'Mine' })).json();
    for (const headers of [await t.bearer({ id: 42 }), await t.bearer({ id: 1, isStaff: true })]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/reviews/${created.id}`,
        headers,
        payload: { rating: 1 },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'REVIEWS.NOT_AUTHOR' });
    }
    const read = await t.app.inject({ method: 'GET', url: `/api/reviews/${created.id}` });
    expect(read.json()).toMatchObject({ rating: 5, comment: 'Mine' });
  });

  it('when a change is invalid, then it is a 400', async () => {
    const created = (await postReview(t, 43, { product_id: PRODUCT, rating: 5, comment: 'Mine' })).json();
    const headers = await t.bearer({ id: 43 });
    for (const payload of [
      {},
      { rating: 0 },
      { rating: '4' },
      { product_id: OTHER_PRODUCT },
      { comment: '' },
      { user_id: 1 },
    ]) {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/api/reviews/${created.id}`,
        headers,
        payload,
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const missing = await t.app.inject({
      method: 'PATCH',
      url: '/api/reviews/987654',
      headers,
      payload: { rating: 3 },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('when someone other than the author or an admin deletes, then it is a 403 and the review stays', async () => {
    const created = (await postReview(t, 50, { product_id: PRODUCT, rating: 3, comment: 'ok' })).json();
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/reviews/${created.id}`,
      headers: await t.bearer({ id: 51 }),
    });
    expect(response.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `/api/reviews/${created.id}` })).statusCode).toBe(200);
  });

  it('when the author deletes, then it is a 204, the review is gone and they may review again', async () => {
    const created = (await postReview(t, 52, { product_id: PRODUCT, rating: 3, comment: 'ok' })).json();
    const headers = await t.bearer({ id: 52 });
    const response = await t.app.inject({ method: 'DELETE', url: `/api/reviews/${created.id}`, headers });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await t.app.inject({ method: 'GET', url: `/api/reviews/${created.id}` })).statusCode).toBe(404);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/reviews/${created.id}`, headers });
    expect(again.statusCode).toBe(404);
    expect((await postReview(t, 52, { product_id: PRODUCT, rating: 4, comment: 'again' })).statusCode).toBe(
      201,
    );
  });

  it("when an admin deletes someone's review, then it is a 204", async () => {
    const created = (await postReview(t, 53, { product_id: PRODUCT, rating: 1, comment: 'spam' })).json();
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/reviews/${created.id}`,
      headers: await t.bearer({ id: 1, isStaff: true }),
    });
    expect(response.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/reviews/${created.id}` })).statusCode).toBe(404);
  });
});
