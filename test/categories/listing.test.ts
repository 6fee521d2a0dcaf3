import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogApp, type CatalogTest, createCategory } from '../products/catalog.fixture.js';

let catalog: CatalogTest;
const ids: Record<string, number> = {};

beforeAll(async () => {
  catalog = await buildCatalogApp();
  for (const name of ['Dogs', 'Cats', 'Fish']) ids[name] = (await createCategory(catalog, { name })).id;
  for (const [name, parent] of [
    ['Dog Food', 'Dogs'],
    ['Dog Toys', 'Dogs'],
    ['Cat Litter', 'Cats'],
  ] as const) {
    ids[name] = (await createCategory(catalog, { name, parent_id: ids[parent]! })).id;
  }
  ids['Puppy Food'] = (await createCategory(catalog, { name: 'Puppy Food', parent_id: ids['Dog Food']! })).id;
});
afterAll(async () => catalog.t.close());

const get = async (url: string) => catalog.t.app.inject({ method: 'GET', url });
const names = (body: { results: { name: string }[] }) => body.results.map((category) => category.name);

describe('GET /api/categories', () => {
  it('when nothing is filtered, then every category is listed by name', async () => {
    const response = await get('/api/categories');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ count: 7, next: null, previous: null });
    expect(names(response.json())).toEqual([
      'Cat Litter',
      'Cats',
      'Dog Food',
      'Dog Toys',
      'Dogs',
      'Fish',
      'Puppy Food',
    ]);
  });

  it('when ?parent=null, then only the top level is listed', async () => {
    expect(names((await get('/api/categories?parent=null')).json())).toEqual(['Cats', 'Dogs', 'Fish']);
  });

  it('when ?parent=<id>, then only its direct children are listed', async () => {
    expect(names((await get(`/api/categories/?parent=${ids.Dogs}`)).json())).toEqual([
      'Dog Food',
      'Dog Toys',
    ]);
    expect((await get(`/api/categories?parent=${ids.Fish}`)).json()).toMatchObject({ count: 0, results: [] });
  });

  it.each(['abc', '0', '-1', ''])('when ?parent=%s, then it is a 400', async (parent) => {
    expect((await get(`/api/categories?parent=${parent}`)).statusCode).toBe(400);
  });

  it('when an unknown query parameter is sent, then it is a 400', async () => {
    const response = await get('/api/categories?parent_id=1');
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { path: 'querystring.parent_id', message: 'is not an allowed field (did you mean "parent"?)' },
    ]);
  });
});

describe('paging of /api/categories', () => {
  it('when limit=3, then pages link to each other and keep the filters', async () => {
    const first = (await get('/api/categories?limit=3')).json();
    expect(first.count).toBe(7);
    expect(first.results).toHaveLength(3);
    expect(first.previous).toBeNull();
    expect(new URL(first.next).searchParams.get('page')).toBe('2');
    const second = (await get('/api/categories?limit=3&page=2')).json();
    expect(new URL(second.previous).searchParams.get('page')).toBe('1');
    const last = (await get('/api/categories?limit=3&page=3')).json();
    expect(names(last)).toEqual(['Puppy Food']);
    expect(last.next).toBeNull();
    const filtered = (await get(`/api/categories?parent=null&limit=1`)).json();
    expect(new URL(filtered.next).searchParams.get('parent')).toBe('null');
  });

  it('when the page is past the last, then it is a 200 with no results', async () => {
    const response = await get('/api/categories?limit=3&page=9');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ count: 7, results: [], next: null });
  });

  it.each(['page=0', 'page=-1', 'page=1.5', 'page=x', 'limit=0', 'limit=2.5'])(
    'when %s, then it is a 400',
    async (query) => {
      expect((await get(`/api/categories?${query}`)).statusCode).toBe(400);
    },
  );

  it('when limit is above 100, then it is clamped to 100', async () => {
    const body = (await get('/api/categories?limit=500')).json();
    expect(body.results).toHaveLength(7);
    expect(body.next).toBeNull();
    const second = (await get('/api/categories?limit=500&page=2')).json();
    expect(new URL(second.previous).searchParams.get('limit')).toBe('100');
  });
});

describe('GET /api/categories/tree', () => {
  it('when asked, then the whole taxonomy comes nested, each level by name', async () => {
    const response = await get('/api/categories/tree');
    expect(response.statusCode).toBe(200);
    const shape = (nodes: { name: string; children: unknown[] }[]): unknown =>
      nodes.map((node) => [node.name, shape(node.children as typeof nodes)]);
    expect(shape(response.json())).toEqual([
      ['Cats', [['Cat Litter', []]]],
      [
        'Dogs',
        [
          ['Dog Food', [['Puppy Food', []]]],
          ['Dog Toys', []],
        ],
      ],
      ['Fish', []],
    ]);
    expect(response.json()[1]).toMatchObject({
      id: ids.Dogs,
      slug: 'dogs',
      parent_id: null,
      product_count: 0,
    });
  });
});
