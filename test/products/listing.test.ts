import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  deliver,
} from './catalog.fixture.js';

let catalog: CatalogTest;
const category: Record<string, number> = {};
/** Product ids by the letter their name starts with, A…G, created in that order. */
const id: Record<string, number> = {};

beforeAll(async () => {
  catalog = await buildCatalogApp();
  for (const name of ['Dogs', 'Cats', 'Fish']) category[name] = (await createCategory(catalog, { name })).id;
  category['Dog Food'] = (await createCategory(catalog, { name: 'Dog Food', parent_id: category.Dogs! })).id;
  category['Dog Toys'] = (await createCategory(catalog, { name: 'Dog Toys', parent_id: category.Dogs! })).id;
  category['Puppy Food'] = (
    await createCategory(catalog, { name: 'Puppy Food', parent_id: category['Dog Food']! })
  ).id;
  const rows = [
    ['A', 'Alpha Kibble', '30.00', 'Dog Food', 'dog', 5, 'Crunchy chicken bites'],
    ['B', 'Bravo Puppy Mix', '12.50', 'Puppy Food', 'dog', 0, 'Soft food for puppies'],
    ['C', 'Charlie Rope', '7.99', 'Dog Toys', 'dog', 3, 'Tug toy, 100% cotton'],
    ['D', 'Delta Litter', '15.00', 'Cats', 'cat', 10, 'Clumping clay'],
    ['E', 'Echo Feather Wand', '4.50', 'Cats', 'cat', 0, 'Teaser for kittens'],
    ['F', 'Foxtrot Flakes', '3.20', 'Fish', 'fish', 25, 'Tropical fish food'],
    ['G', 'Golf Ball Toy', '7.99', 'Dog Toys', 'dog', 8, 'Squeaky rubber_ball'],
  ] as const;
  for (const [letter, name, price, categoryName, animalType, stock, description] of rows) {
    const product = await createProduct(catalog, {
      name,
      price,
      category: category[categoryName]!,
      animal_type: animalType,
      stock,
      description,
    });
    id[letter] = product.id;
  }
  const ratings: [string, number][] = [
    ['A', 4],
    ['A', 5],
    ['C', 3],
    ['F', 5],
  ];
  for (const [index, [letter, rating]] of ratings.entries()) {
    await deliver(catalog.t, 'review_events', 'review.created', 1, {
      review_id: index + 1,
      product_id: id[letter]!,
      user_id: index + 10,
      rating,
    });
  }
});
afterAll(async () => catalog.t.close());

const list = async (query: string) => catalog.t.app.inject({ method: 'GET', url: `/api/products?${query}` });
async function letters(query: string): Promise<string> {
  const response = await list(query);
  expect(response.statusCode, response.body).toBe(200);
  const byId = new Map(Object.entries(id).map(([letter, productId]) => [productId, letter]));
  return response
    .json()
    .results.map((product: { id: number }) => byId.get(product.id))
    .join('');
}

describe('GET /api/products filters', () => {
  it.each([
    ['', 'GFEDCBA'],
    ['category=Dogs', 'GCBA'],
    ['category=Dog Food', 'BA'],
    ['category=Puppy Food', 'B'],
    ['category=Cats', 'ED'],
    ['animalType=cat', 'ED'],
    ['animalType=fish', 'F'],
    ['animalType=small_pet', ''],
    ['search=KIBBLE', 'A'],
    ['search=food', 'FB'],
    ['search=100%25', 'C'],
    ['search=r_b', 'G'],
    ['search=%25', 'C'],
    ['search=', 'GFEDCBA'],
    ['min_price=7.99', 'GDCBA'],
    ['max_price=7.99', 'GFEC'],
    ['min_price=7.99&max_price=7.99', 'GC'],
    ['min_price=8', 'DBA'],
    ['max_price=3.2', 'F'],
    ['in_stock=true', 'GFDCA'],
    ['in_stock=false', 'EB'],
    ['category=Dogs&in_stock=true&max_price=10', 'GC'],
    ['animalType=dog&search=toy&min_price=5', 'GC'],
  ])('when ?%s, then the right products come back', async (query, expected) => {
    const resolved = query.replace(
      /category=([A-Za-z ]+)/,
      (_, name: string) => `category=${category[name]}`,
    );
    expect(await letters(resolved.replaceAll(' ', '%20'))).toBe(expected);
  });

  it('when the category is unknown, then the list is empty', async () => {
    expect((await list('category=999999')).json()).toMatchObject({ count: 0, results: [] });
  });
});

describe('GET /api/products ordering', () => {
  it.each([
    ['price', 'FECGBDA'],
    ['-price', 'ADBGCEF'],
    ['name', 'ABCDEFG'],
    ['-name', 'GFEDCBA'],
    ['created_at', 'ABCDEFG'],
    ['-created_at', 'GFEDCBA'],
    ['rating', 'CAFBDEG'],
    ['-rating', 'FACGEDB'],
  ])('when ?ordering=%s, then the order is right and ties go by id', async (ordering, expected) => {
    expect(await letters(`ordering=${ordering}`)).toBe(expected);
  });

  it('when filters and ordering combine, then both apply', async () => {
    expect(await letters(`category=${category.Dogs}&ordering=price`)).toBe('CGBA');
    expect(await letters('animalType=dog&max_price=10&ordering=-price')).toBe('GC');
  });
});

describe('GET /api/products refusals', () => {
  it.each([
    'ordering=popularity',
    'ordering=-id',
    'ordering=price,name',
    'animalType=dragon',
    'animal_type=dog',
    'colour=red',
    'min_price=abc',
    'min_price=1.234',
    'max_price=-1',
    'min_price=100000000',
    'min_price=20&max_price=10',
    'category=0',
    'category=abc',
    'in_stock=maybe',
    'page=0',
    'limit=0',
    'page=1.5',
  ])('when ?%s, then it is a 400', async (query) => {
    const response = await list(query);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('when min_price is above max_price, then the problem says so', async () => {
    expect((await list('min_price=20&max_price=10')).json()).toMatchObject({
      code: 'PRODUCTS.INVALID_PRICE_RANGE',
    });
  });
});

describe('GET /api/products paging', () => {
  it('when limit=3, then count, next and previous walk the pages', async () => {
    const first = (await list('limit=3&ordering=name')).json();
    expect(first).toMatchObject({ count: 7, previous: null });
    expect(new URL(first.next).searchParams.get('ordering')).toBe('name');
    const third = (await list('limit=3&ordering=name&page=3')).json();
    expect(third.results.map((product: { name: string }) => product.name)).toEqual(['Golf Ball Toy']);
    expect(third.next).toBeNull();
    expect(new URL(third.previous).searchParams.get('page')).toBe('2');
  });

  it('when the page is past the last, then it is a 200 with no results', async () => {
    const response = await list('limit=3&page=4');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ count: 7, results: [], next: null });
  });

  it('when the count is filtered, then it counts the filtered rows', async () => {
    expect((await list('limit=1&in_stock=true')).json().count).toBe(5);
  });
});
