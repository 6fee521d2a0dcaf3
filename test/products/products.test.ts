import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  createProduct,
  recordedEvents,
} from './catalog.fixture.js';

let catalog: CatalogTest;
let dogs: number;
let cats: number;
beforeAll(async () => {
  catalog = await buildCatalogApp();
  dogs = (await createCategory(catalog, { name: 'Dogs' })).id;
  cats = (await createCategory(catalog, { name: 'Cats' })).id;
});
afterAll(async () => catalog.t.close());

const inject = (options: InjectOptions) => catalog.t.app.inject(options);

const kibble = () => ({
  name: 'Adult Kibble',
  description: 'Chicken and rice',
  price: '24.90',
  category: dogs,
  animal_type: 'dog',
  stock: 12,
  specifications: { weight_kg: 12, flavours: ['chicken', 'rice'], grain_free: false },
});

describe('POST /api/products', () => {
  it('when an admin creates a product, then it answers 201 with the whole product', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.admin,
      payload: kibble(),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: expect.any(Number),
      name: 'Adult Kibble',
      description: 'Chicken and rice',
      price: '24.90',
      category: dogs,
      category_name: 'Dogs',
      animal_type: 'dog',
      stock: 12,
      specifications: { weight_kg: 12, flavours: ['chicken', 'rice'], grain_free: false },
      rating_avg: null,
      rating_count: 0,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
  });

  it('when stock and specifications are left out, then they are 0 and {}', async () => {
    const { stock: _stock, specifications: _specifications, ...rest } = kibble();
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.admin,
      payload: rest,
    });
    expect(response.json()).toMatchObject({ stock: 0, specifications: {} });
  });

  it('when it is created, then product.created carries the contract payload at version 1', async () => {
    const product = await createProduct(catalog, { ...kibble(), name: 'Evented', price: 7.5 });
    const event = (await recordedEvents(catalog.t, 'product_events', 'product.created')).find(
      (row) => row.message.product_id === product.id,
    );
    expect(event?.message).toEqual({
      event_id: expect.any(String),
      event: 'product_created',
      timestamp: expect.any(String),
      version: 1,
      product_id: product.id,
      name: 'Evented',
      description: 'Chicken and rice',
      price: '7.50',
      category_id: dogs,
      animal_type: 'dog',
      stock: 12,
    });
  });

  it('when the category is unknown, then it is a 400', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.admin,
      payload: { ...kibble(), category: 424_242 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'PRODUCTS.UNKNOWN_CATEGORY',
      errors: [{ path: 'body.category' }],
    });
  });

  it('when the category was deleted, then it is a 400', async () => {
    const gone = await createCategory(catalog, { name: 'Gone' });
    await inject({ method: 'DELETE', url: `/api/categories/${gone.id}`, headers: catalog.admin });
    await catalog.t.settle();
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.admin,
      payload: { ...kibble(), category: gone.id },
    });
    expect(response.statusCode).toBe(400);
  });

  it.each([
    ['an unknown field', { rating_avg: 5 }, 'body.rating_avg'],
    ['an unknown animal type', { animal_type: 'dragon' }, 'body.animal_type'],
    ['a negative stock', { stock: -1 }, 'body.stock'],
    ['a fractional stock', { stock: 1.5 }, 'body.stock'],
    ['a stock as text', { stock: '3' }, 'body.stock'],
    ['specifications that are a list', { specifications: [1, 2] }, 'body.specifications'],
    ['a blank name', { name: ' ' }, 'body.name'],
    ['a category that is not an id', { category: 'Dogs' }, 'body.category'],
  ])('when the body has %s, then it is a 400 naming the field', async (_, change, path) => {
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.admin,
      payload: { ...kibble(), ...change },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it.each(['name', 'description', 'price', 'category', 'animal_type'])(
    'when %s is missing, then it is a 400',
    async (field) => {
      const payload: Record<string, unknown> = kibble();
      delete payload[field];
      const response = await inject({
        method: 'POST',
        url: '/api/products',
        headers: catalog.admin,
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([{ path: `body.${field}`, message: expect.any(String) }]);
    },
  );

  it('when nobody or a customer tries, then it is a 401 or a 403', async () => {
    const anonymous = await inject({ method: 'POST', url: '/api/products', payload: kibble() });
    const customer = await inject({
      method: 'POST',
      url: '/api/products',
      headers: catalog.customer,
      payload: kibble(),
    });
    expect([anonymous.statusCode, customer.statusCode]).toEqual([401, 403]);
  });

  it('when the body is not JSON, then it is a 415', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/products',
      headers: { ...catalog.admin, 'content-type': 'text/plain' },
      payload: 'name=x',
    });
    expect(response.statusCode).toBe(415);
  });
});

describe('GET /api/products/:id', () => {
  it('when anyone asks, then the product is answered', async () => {
    const product = await createProduct(catalog, kibble());
    const response = await inject({ method: 'GET', url: `/api/products/${product.id}/` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: product.id, price: '24.90', category_name: 'Dogs' });
  });

  it('when the id is unknown, then it is a 404; when it is not an id, a 400', async () => {
    expect((await inject({ method: 'GET', url: '/api/products/123456' })).statusCode).toBe(404);
    expect((await inject({ method: 'GET', url: '/api/products/abc' })).statusCode).toBe(400);
    expect((await inject({ method: 'GET', url: '/api/products/3000000000' })).statusCode).toBe(400);
  });
});

describe('PUT and PATCH /api/products/:id', () => {
  it('when PATCH changes the price, then only the price changes and product.updated is version 2', async () => {
    const product = await createProduct(catalog, kibble());
    const response = await inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { price: 19.99 },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ price: '19.99', name: 'Adult Kibble', stock: 12 });
    const events = (await recordedEvents(catalog.t, 'product_events', 'product.updated')).filter(
      (row) => row.message.product_id === product.id,
    );
    expect(events.map((row) => [row.message.version, row.message.price])).toEqual([[2, '19.99']]);
  });

  it('when PUT replaces the product, then missing specifications become {} and stock stays', async () => {
    const product = await createProduct(catalog, kibble());
    const response = await inject({
      method: 'PUT',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { name: 'Cat Tower', description: 'Tall', price: '89.00', category: cats, animal_type: 'cat' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Cat Tower',
      description: 'Tall',
      price: '89.00',
      category: cats,
      category_name: 'Cats',
      animal_type: 'cat',
      stock: 12,
      specifications: {},
    });
  });

  it('when PUT leaves out a required field, then it is a 400', async () => {
    const product = await createProduct(catalog, kibble());
    const response = await inject({
      method: 'PUT',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { name: 'Only a name' },
    });
    expect(response.statusCode).toBe(400);
  });

  it('when PATCH moves it to an unknown category, then it is a 400', async () => {
    const product = await createProduct(catalog, kibble());
    const response = await inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { category: 515_151 },
    });
    expect(response.statusCode).toBe(400);
  });

  it('when PATCH changes nothing, then no event is written', async () => {
    const product = await createProduct(catalog, kibble());
    const before = (await recordedEvents(catalog.t, 'product_events')).length;
    const response = await inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: catalog.admin,
      payload: { price: '24.9' },
    });
    expect(response.statusCode).toBe(200);
    expect((await recordedEvents(catalog.t, 'product_events')).length).toBe(before);
  });

  it('when the product does not exist, then PUT and PATCH are a 404', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      const response = await inject({
        method,
        url: '/api/products/898989',
        headers: catalog.admin,
        payload: kibble(),
      });
      expect(response.statusCode).toBe(404);
    }
  });

  it('when nobody or a customer tries, then it is a 401 or a 403', async () => {
    const product = await createProduct(catalog, kibble());
    const url = `/api/products/${product.id}`;
    const anonymous = await inject({ method: 'PATCH', url, payload: { stock: 1 } });
    const customer = await inject({ method: 'PUT', url, headers: catalog.customer, payload: kibble() });
    expect([anonymous.statusCode, customer.statusCode]).toEqual([401, 403]);
  });
});

describe('DELETE /api/products/:id', () => {
  it('when an admin deletes, then it is a 204, GET is a 404 and product.deleted is written', async () => {
    const product = await createProduct(catalog, kibble());
    const url = `/api/products/${product.id}`;
    const response = await inject({ method: 'DELETE', url, headers: catalog.admin });
    expect(response.statusCode).toBe(204);
    expect((await inject({ method: 'GET', url })).statusCode).toBe(404);
    const list = (await inject({ method: 'GET', url: '/api/products?limit=100' })).json();
    expect(list.results.map((row: { id: number }) => row.id)).not.toContain(product.id);
    const deleted = (await recordedEvents(catalog.t, 'product_events', 'product.deleted')).find(
      (row) => row.message.product_id === product.id,
    );
    expect(deleted?.message).toMatchObject({ event: 'product_deleted', version: 2 });
  });

  it('when the product is already deleted, then DELETE, PATCH and stock are a 404', async () => {
    const product = await createProduct(catalog, kibble());
    const url = `/api/products/${product.id}`;
    await inject({ method: 'DELETE', url, headers: catalog.admin });
    const again = await inject({ method: 'DELETE', url, headers: catalog.admin });
    const patch = await inject({ method: 'PATCH', url, headers: catalog.admin, payload: { stock: 1 } });
    const stock = await inject({
      method: 'POST',
      url: `${url}/stock`,
      headers: catalog.admin,
      payload: { delta: 1 },
    });
    expect([again.statusCode, patch.statusCode, stock.statusCode]).toEqual([404, 404, 404]);
  });

  it('when nobody or a customer tries, then it is a 401 or a 403', async () => {
    const product = await createProduct(catalog, kibble());
    const url = `/api/products/${product.id}`;
    const anonymous = await inject({ method: 'DELETE', url });
    const customer = await inject({ method: 'DELETE', url, headers: catalog.customer });
    expect([anonymous.statusCode, customer.statusCode]).toEqual([401, 403]);
  });
});

describe('read models of other modules', () => {
  it('when a product is created in a category newer than the tree, then its detail names it at once', async () => {
    const older = await createProduct(catalog, { ...kibble(), name: 'Older kibble' });
    // The detail just checked the tree: it is trusted for the next DETAIL_TREE_TRUST_MS.
    expect((await inject({ method: 'GET', url: `/api/products/${older.id}` })).statusCode).toBe(200);
    const category = await createCategory(catalog, { name: 'Reptiles' });
    const product = await createProduct(catalog, {
      ...kibble(),
      category: category.id,
      animal_type: 'other',
    });
    const response = await inject({ method: 'GET', url: `/api/products/${product.id}` });
    expect(response.json().category_name).toBe('Reptiles');
  });

  it('when a category is renamed, then category_name follows', async () => {
    const category = await createCategory(catalog, { name: 'Birds' });
    const product = await createProduct(catalog, { ...kibble(), category: category.id, animal_type: 'bird' });
    await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { name: 'Birds & Poultry' },
    });
    await catalog.t.settle();
    // The detail trusts its category tree for DETAIL_TREE_TRUST_MS (docs/api.md).
    await vi.waitFor(
      async () => {
        const response = await inject({ method: 'GET', url: `/api/products/${product.id}` });
        expect(response.json().category_name).toBe('Birds & Poultry');
      },
      { timeout: 2_000, interval: 50 },
    );
  });
});
