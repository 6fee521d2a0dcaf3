import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { checkErrorCodes, checkEvents, checkFieldTables, type FieldTable } from './api-guide-resources.js';
import { checkRoutes, type OpenApiDocument, openApiPath, type Route } from './api-guide-routes.js';
import { sourceErrorCodes } from './error-codes.js';
import { type MarkdownDocument, parseMarkdown } from './markdown.js';

const GUIDE_PATH = fileURLToPath(new URL('../../docs/api.md', import.meta.url));
const SOURCE_ROOT = fileURLToPath(new URL('../../src/', import.meta.url));
const guideText = readFileSync(GUIDE_PATH, 'utf8');
const guide = parseMarkdown('docs/api.md', guideText);

/** Which route's answer each fields table of the guide documents. */
const FIELD_TABLES: FieldTable[] = [
  { heading: 'Page fields', method: 'GET', path: '/api/products', status: 200 },
  { heading: 'Problem fields', method: 'POST', path: '/api/users/register', status: 400 },
  { heading: 'User fields', method: 'GET', path: '/api/users/me', status: 200 },
  { heading: 'Address fields', method: 'GET', path: '/api/users/me/addresses/{id}', status: 200 },
  { heading: 'Login fields', method: 'POST', path: '/api/users/login', status: 200 },
  { heading: 'Category fields', method: 'GET', path: '/api/categories/{id}', status: 200 },
  { heading: 'Product fields', method: 'GET', path: '/api/products/{id}', status: 200 },
  { heading: 'Cart fields', method: 'GET', path: '/api/cart', status: 200 },
  { heading: 'Checkout fields', method: 'POST', path: '/api/cart/checkout', status: 202 },
  { heading: 'Order fields', method: 'GET', path: '/api/orders/{id}', status: 200 },
  { heading: 'Review fields', method: 'GET', path: '/api/reviews/{id}', status: 200 },
  { heading: 'Summary fields', method: 'GET', path: '/api/reviews/summary', status: 200 },
  { heading: 'Health fields', method: 'GET', path: '/health/ready', status: 200 },
  { heading: 'Dead letter fields', method: 'GET', path: '/api/admin/events/dead-letters/{id}', status: 200 },
];

/** The guide with `from` replaced by `to`; `from` must be there, so that no mutation is a silent no-op. */
function mutated(from: string, to: string): MarkdownDocument {
  expect(guideText, `the guide no longer contains ${JSON.stringify(from)}`).toContain(from);
  return parseMarkdown('docs/api.md', guideText.replace(from, to));
}

describe('docs/api.md, the API guide', () => {
  let t: TestApp;
  let openapi: OpenApiDocument;
  let routes: Route[];
  const codes = sourceErrorCodes(SOURCE_ROOT);

  beforeAll(async () => {
    t = await buildTestApp();
    openapi = (await t.app.inject({ method: 'GET', url: '/docs/openapi.json' })).json();
    const registered = t.app.platform.routes
      .filter((route) => !route.url.includes('*'))
      .map((route) => `${route.method} ${openApiPath(route.url)}`);
    routes = [...new Set(registered)].map((entry) => {
      const [method, path] = entry.split(' ') as [string, string];
      return { method, path };
    });
  });
  afterAll(async () => t.close());

  it('when the OpenAPI document has a route, then the guide has its row with who may call it, its inputs and statuses, and every route the guide names exists', () => {
    expect(checkRoutes(guide, openapi, routes)).toEqual([]);
  });

  it('when a route answers a resource, then its fields table lists exactly the fields of that answer', () => {
    expect(checkFieldTables(guide, openapi, FIELD_TABLES)).toEqual([]);
  });

  it("when a module's contract publishes an event, then the events section lists it with its payload and the queues that consume it", () => {
    expect(checkEvents(guide, ALL_MODULES)).toEqual([]);
  });

  it('when the code can answer an error code, then the guide names it, with the status it comes with', () => {
    expect(codes.size).toBeGreaterThan(40);
    expect(codes.get('CART.EMPTY')).toBe(409);
    expect(codes.get('USERS.TOO_MANY_ATTEMPTS')).toBe(429);
    expect(codes.get('VALIDATION_FAILED')).toBe(400);
    expect(checkErrorCodes(guide, codes)).toEqual([]);
  });

  it('when the guide is wrong in each way the checks look for, then each mistake is reported', () => {
    const routeProblems = (document: MarkdownDocument) => checkRoutes(document, openapi, routes);
    expect(
      routeProblems(mutated('| `DELETE /api/reviews/{id}` |', '| `DELETE /api/reviews/{id}/all` |')),
    ).toEqual(
      expect.arrayContaining([
        'DELETE /api/reviews/{id} is in the OpenAPI document but in no route table of the guide',
        'the guide lists DELETE /api/reviews/{id}/all, which the app does not have',
      ]),
    );
    expect(routeProblems(mutated('| `GET /api/cart` | user |', '| `GET /api/cart` | anyone |'))).toContain(
      'GET /api/cart: needs a token, but the guide says "anyone"',
    );
    expect(
      routeProblems(mutated('`{product_id, quantity}` | 201', '`{product_id, quantity?, note}` | 201')),
    ).toEqual(
      expect.arrayContaining([
        'POST /api/cart/items body: `quantity` is required in the code, not as documented',
        'POST /api/cart/items body: documents `note`, which the code does not have',
      ]),
    );
    expect(routeProblems(mutated('max_price, in_stock, ordering`', 'max_price, ordering`'))).toContain(
      'GET /api/products: takes query parameter in_stock, not documented',
    );
    expect(
      routeProblems(mutated('| user | `Idempotency-Key` · `{address_id?}`', '| user | `{address_id?}`')),
    ).toContain('POST /api/cart/checkout: takes header idempotency-key, not documented');
    expect(routeProblems(mutated(' · 409 `REVIEWS.DUPLICATE`', ''))).toContain(
      'POST /api/reviews: declares 409, not listed',
    );
    expect(
      routeProblems(mutated('| 204 · 404 `PRODUCTS.NOT_FOUND` |', '| 200 · 404 `PRODUCTS.NOT_FOUND` |')),
    ).toEqual(
      expect.arrayContaining([
        'DELETE /api/products/{id}: lists 200, which the route does not declare',
        'DELETE /api/products/{id}: declares 204, not listed',
      ]),
    );
    expect(
      routeProblems(mutated('(`POST /api/orders/{id}/cancel`)', '(`POST /api/orders/{id}/undo`)')),
    ).toContain('the guide mentions POST /api/orders/{id}/undo, which the app does not have');

    expect(checkFieldTables(mutated('| `rating_count` | integer | |\n', ''), openapi, FIELD_TABLES)).toEqual([
      '"Product fields": the code has `rating_count`, not documented',
    ]);
    expect(
      checkFieldTables(mutated('| `items[].subtotal` | string | |\n', ''), openapi, FIELD_TABLES),
    ).toEqual(['"Order fields": the code has `items[].subtotal`, not documented']);

    const released = '| `product_events` | `stock.released` |';
    expect(checkEvents(mutated(released, '| `product_events` | `stock.returned` |'), ALL_MODULES)).toEqual(
      expect.arrayContaining([
        'the guide lists the event product_events stock.returned, which no module publishes',
        'the event product_events stock.released has 0 rows in the events tables',
      ]),
    );
    expect(checkEvents(mutated('quantity}], reason}` | 1 |', 'quantity}]}` | 1 |'), ALL_MODULES)).toEqual([
      'product_events stock.rejected payload: the code has `reason`, not documented',
    ]);
    expect(
      checkEvents(
        mutated(
          '| +1 per status change | `orders.order_events`, `reviews.order_events` |',
          '| +1 | `products.order_events`, `reviews.order_events` |',
        ),
        ALL_MODULES,
      ),
    ).toEqual([
      'order_events order.updated: consumed by orders.order_events, reviews.order_events, the guide says products.order_events, reviews.order_events',
    ]);

    expect(checkErrorCodes(mutated('409 `CART.EMPTY`', '409 `CART.EMPTIED`'), codes)).toEqual([
      'the code can answer CART.EMPTY, which the guide does not name',
      'the guide names CART.EMPTIED, which the code never answers',
    ]);
    expect(
      checkErrorCodes(mutated('404 `CART.ITEM_NOT_FOUND` · 409', '409 `CART.ITEM_NOT_FOUND` · 409'), codes),
    ).toContain('CART.ITEM_NOT_FOUND comes with 404, the guide says 409');
  });
});
