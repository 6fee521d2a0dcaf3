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

  it('when an anonymous request has an invalid body, then every route that needs a token answers 401, as the overview says', async () => {
    claim(
      'Every route that needs a token checks it before anything else, before the body is read: without a valid token the answer is 401',
    );
    const guarded = [
      '/api/cart/items',
      '/api/orders',
      '/api/admin/events/dead-letters/replay',
      '/api/users/logout',
      '/api/categories',
      '/api/products',
      '/api/reviews',
    ];
    for (const url of guarded) expect((await send('POST', url, { unknown: 1 })).statusCode, url).toBe(401);
  });

  it('when an id is spelled 1.0, +1, 1e0, 0x1 or with a blank, then it is a 400, as the overview says', async () => {
    claim('`1.0`, `+1`, `1e0`, `0x1` or ` 1` are not id 1 but a 400 (`must be an integer`)');
    for (const spelling of ['1.0', '+1', '1e0', '0x1', '%201']) {
      const response = await send('GET', `/api/categories/${spelling}`);
      expect(response.json(), spelling).toMatchObject({
        status: 400,
        errors: [{ path: 'params.id', message: 'must be an integer' }],
      });
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

  it('when requests are refused for their token, then the rate limit counts them too, as the overview says', async () => {
    claim('requests refused for their token (401, 403) count too');
    const remaining = async () =>
      Number((await send('GET', '/api/products')).headers['x-ratelimit-remaining']);
    const before = await remaining();
    for (let request = 0; request < 5; request++)
      expect((await send('GET', '/api/cart')).statusCode).toBe(401);
    expect(await remaining()).toBe(before - 6);
  });
});
