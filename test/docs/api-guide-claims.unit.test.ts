import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

/**
 * The overview of docs/api.md states a few rules marked "today": behaviour that is expected to
 * change. Each test pins one such sentence to what the app does, so that a change of the behaviour
 * fails here until the sentence is rewritten (then rewrite the test with it).
 */
const guide = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8').replace(/\s+/gu, ' ');

function claim(sentence: string): void {
  expect(guide, 'docs/api.md no longer says this: update the claim below with the guide').toContain(sentence);
}

describe("docs/api.md's rules marked today", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { RATE_LIMIT_MAX: 1000 } });
  });
  afterAll(async () => t.close());

  const send = (method: 'GET' | 'POST', url: string, payload?: object) =>
    t.app.inject({ method, url, ...(payload ? { payload } : {}) });

  it('when an anonymous request has an invalid body, then cart, orders and admin routes answer 401 and the other modules 400, as the overview says', async () => {
    claim(
      'The cart, orders and `/api/admin/events` routes check the token before anything else: without a valid token the answer is 401 whatever the request holds.',
    );
    claim(
      "The users, categories, products and reviews routes check the request's shape first (params, query, body) and the token after, so there an anonymous request with an invalid body gets the 400.",
    );
    const tokenFirst = ['/api/cart/items', '/api/orders', '/api/admin/events/dead-letters/replay'];
    const shapeFirst = ['/api/users/logout', '/api/categories', '/api/products', '/api/reviews'];
    for (const url of tokenFirst) expect((await send('POST', url, { unknown: 1 })).statusCode, url).toBe(401);
    for (const url of shapeFirst) expect((await send('POST', url, { unknown: 1 })).statusCode, url).toBe(400);
  });

  it('when an id is spelled 1.0, +1, 01, 1e0 or 0x1, then it names id 1, as the overview says', async () => {
    claim('any text JavaScript reads as the number names it (`1.0`, `+1`, `01`, `1e0`, `0x1` all name id 1)');
    for (const spelling of ['1.0', '+1', '01', '1e0', '0x1']) {
      const response = await send('GET', `/api/categories/${spelling}`);
      expect(response.json(), spelling).toMatchObject({ status: 404, detail: 'Category 1 does not exist' });
    }
  });

  it('when a body has several wrong fields, then the problem names each of them once, as the overview says', async () => {
    claim('Schema validation reports every wrong field at once');
    const response = await send('POST', '/api/users/register', {
      username: 'a b',
      email: 'no',
      password: 'x',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toEqual([
      'body.username',
      'body.email',
      'body.password',
    ]);
  });

  it('when requests to a token-first route are refused for their token, then the rate limit does not count them, as the overview says', async () => {
    claim('a request they refuse with 401 or 403 is not counted');
    const remaining = async () =>
      Number((await send('GET', '/api/products')).headers['x-ratelimit-remaining']);
    const before = await remaining();
    for (let request = 0; request < 5; request++)
      expect((await send('GET', '/api/cart')).statusCode).toBe(401);
    expect(await remaining()).toBe(before - 1);
  });
});
