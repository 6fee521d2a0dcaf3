import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogApp, type CatalogTest, createCategory, createProduct } from './catalog.fixture.js';

let catalog: CatalogTest;
let category: number;
beforeAll(async () => {
  catalog = await buildCatalogApp();
  category = (await createCategory(catalog, { name: 'Money' })).id;
});
afterAll(async () => catalog.t.close());

const post = (price: unknown) =>
  catalog.t.app.inject({
    method: 'POST',
    url: '/api/products',
    headers: catalog.admin,
    payload: { name: 'Priced', description: '', price, category, animal_type: 'other' },
  });

describe('prices are exact', () => {
  it.each([
    ['19.99', '19.99'],
    [19.99, '19.99'],
    [0.1, '0.10'],
    [0.2, '0.20'],
    ['12.5', '12.50'],
    [7, '7.00'],
    ['0', '0.00'],
    ['99999999.99', '99999999.99'],
    [99_999_999.99, '99999999.99'],
  ])('when the price is %j, then it is stored and answered as %s', async (price, expected) => {
    const response = await post(price);
    expect(response.statusCode).toBe(201);
    expect(response.json().price).toBe(expected);
    const again = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${response.json().id}` });
    expect(again.json().price).toBe(expected);
  });

  it.each([
    ['a float sum', 0.1 + 0.2],
    ['three decimals as text', '1.999'],
    ['three decimals as a number', 1.005],
    ['a negative price', -1],
    ['a negative price as text', '-0.01'],
    ['too large a price', 100_000_000],
    ['too large a price as text', '100000000.00'],
    ['an exponent', '1e3'],
    ['a comma', '12,50'],
    ['null', null],
  ])('when the price is %s, then it is a 400 on body.price', async (_, price) => {
    const response = await post(price);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain('body.price');
  });

  it('when 0.10 and 0.20 are filtered by 0.30, then the cents compare exactly', async () => {
    const isolated = (await createCategory(catalog, { name: 'Cents' })).id;
    for (const price of ['0.10', '0.20', '0.30', '0.31'])
      await createProduct(catalog, { name: `Costs ${price}`, price, category: isolated });
    const response = await catalog.t.app.inject({
      method: 'GET',
      url: `/api/products?category=${isolated}&min_price=0.3&max_price=0.30&ordering=price`,
    });
    expect(response.json().results.map((product: { price: string }) => product.price)).toEqual(['0.30']);
    const below = await catalog.t.app.inject({
      method: 'GET',
      url: `/api/products?category=${isolated}&max_price=0.3&ordering=price`,
    });
    expect(below.json().results.map((product: { price: string }) => product.price)).toEqual([
      '0.10',
      '0.20',
      '0.30',
    ]);
  });
});
