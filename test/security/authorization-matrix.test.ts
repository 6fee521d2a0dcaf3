import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { coverageFindings, type MatrixRow, rowFindings } from './authorization-matrix.js';
import { SHOP_MATRIX, ShopWorld } from './authorization-table.js';
import { SECURITY_CONFIG } from './shop-seed.js';

describe('authorization matrix: every route × {anonymous, customer A, customer B, admin} × {own, other’s resource}', () => {
  let t: TestApp;
  let world: ShopWorld;
  beforeAll(async () => {
    t = await buildTestApp({ config: SECURITY_CONFIG });
    world = await ShopWorld.create(t);
  });
  afterAll(async () => t?.close());

  it('when the app starts, then the table has a row for exactly every route (a new route without a row fails here)', () => {
    expect(coverageFindings(t.app.platform.routes, SHOP_MATRIX)).toEqual([]);
  });

  for (const [key, row] of Object.entries(SHOP_MATRIX)) {
    it(`when ${key} is sent by each actor on their own and on another user's resource, then each gets the contract's status`, async () => {
      expect(await rowFindings(t.app, key, row as MatrixRow<ShopWorld>, world)).toEqual([]);
    });
  }
});
