import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCatalogApp,
  type CatalogTest,
  createCategory,
  recordedEvents,
} from '../products/catalog.fixture.js';

let catalog: CatalogTest;
beforeAll(async () => {
  catalog = await buildCatalogApp();
});
afterAll(async () => catalog.t.close());

const inject = (options: InjectOptions) => catalog.t.app.inject(options);

describe('POST /api/categories', () => {
  it('when an admin creates a category, then it answers 201 with the whole category', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/categories',
      headers: catalog.admin,
      payload: { name: 'Reptiles', description: 'Scales and all' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      id: expect.any(Number),
      name: 'Reptiles',
      slug: 'reptiles',
      description: 'Scales and all',
      parent_id: null,
      product_count: 0,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
  });

  it('when the category has a parent, then parent_id is kept', async () => {
    const parent = await createCategory(catalog, { name: 'Horses' });
    const child = await createCategory(catalog, { name: 'Horse Feed', parent_id: parent.id });
    const response = await inject({ method: 'GET', url: `/api/categories/${child.id}` });
    expect(response.json()).toMatchObject({ parent_id: parent.id, slug: 'horse-feed', description: '' });
  });

  it('when the name exists in another case, then it is a 409', async () => {
    await createCategory(catalog, { name: 'Amphibians' });
    const response = await inject({
      method: 'POST',
      url: '/api/categories',
      headers: catalog.admin,
      payload: { name: '  aMPHIBIANS ' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status: 409, code: 'CATEGORIES.DUPLICATE_NAME' });
  });

  it('when two names make the same slug, then the second gets -2 and the third -3', async () => {
    const first = await createCategory(catalog, { name: 'Pond Life' });
    const second = await createCategory(catalog, { name: 'Pond-Life!' });
    const third = await createCategory(catalog, { name: 'pond  life?' });
    const slugs = await Promise.all(
      [first, second, third].map(
        async (category) =>
          (await inject({ method: 'GET', url: `/api/categories/${category.id}` })).json().slug,
      ),
    );
    expect(slugs).toEqual(['pond-life', 'pond-life-2', 'pond-life-3']);
  });

  it('when the parent does not exist, then it is a 400', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/categories',
      headers: catalog.admin,
      payload: { name: 'Orphans', parent_id: 999_999 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'CATEGORIES.UNKNOWN_PARENT',
      errors: [{ path: 'body.parent_id' }],
    });
  });

  it.each([
    ['an unknown field', { name: 'X', slug: 'x' }, 'body.slug'],
    ['no name', { description: 'nameless' }, 'body.name'],
    ['a blank name', { name: '   ' }, 'body.name'],
    ['a name that is not text', { name: 12 }, 'body.name'],
    ['a parent that is not an id', { name: 'Y', parent_id: 'abc' }, 'body.parent_id'],
  ])('when the body has %s, then it is a 400 naming the field', async (_, payload, path) => {
    const response = await inject({
      method: 'POST',
      url: '/api/categories',
      headers: catalog.admin,
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((error: { path: string }) => error.path)).toContain(path);
  });

  it('when nobody is signed in, then it is a 401', async () => {
    const response = await inject({ method: 'POST', url: '/api/categories', payload: { name: 'Anon' } });
    expect(response.statusCode).toBe(401);
  });

  it('when a customer tries, then it is a 403', async () => {
    const response = await inject({
      method: 'POST',
      url: '/api/categories',
      headers: catalog.customer,
      payload: { name: 'Sneaky' },
    });
    expect(response.statusCode).toBe(403);
  });

  it('when a category is created, then category.created carries the contract payload at version 1', async () => {
    const category = await createCategory(catalog, { name: 'Insects', description: 'Crickets' });
    const [event] = (await recordedEvents(catalog.t, 'category_events', 'category.created')).filter(
      (row) => row.message.category_id === category.id,
    );
    expect(event?.message).toEqual({
      event_id: expect.any(String),
      event: 'category_created',
      timestamp: expect.any(String),
      version: 1,
      category_id: category.id,
      name: 'Insects',
      slug: 'insects',
      description: 'Crickets',
      parent_id: null,
    });
  });
});

describe('GET /api/categories/:id', () => {
  it('when the id is unknown, then it is a 404', async () => {
    const response = await inject({ method: 'GET', url: '/api/categories/987654' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'CATEGORIES.NOT_FOUND' });
  });

  it.each(['abc', '0', '99999999999'])('when the id is %s, then it is a 400', async (id) => {
    const response = await inject({ method: 'GET', url: `/api/categories/${id}` });
    expect(response.statusCode).toBe(400);
  });

  it('when anyone asks without a token, then the category is answered', async () => {
    const category = await createCategory(catalog, { name: 'Ferrets' });
    const response = await inject({ method: 'GET', url: `/api/categories/${category.id}/` });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Ferrets');
  });
});

describe('PUT and PATCH /api/categories/:id', () => {
  it('when PATCH renames, then the name changes, the slug stays and category.updated is version 2', async () => {
    const category = await createCategory(catalog, { name: 'Parrots', description: 'Loud' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { name: 'Parrots & Parakeets' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      name: 'Parrots & Parakeets',
      slug: 'parrots',
      description: 'Loud',
    });
    const events = (await recordedEvents(catalog.t, 'category_events', 'category.updated')).filter(
      (row) => row.message.category_id === category.id,
    );
    expect(events.map((row) => [row.message.version, row.message.name])).toEqual([
      [2, 'Parrots & Parakeets'],
    ]);
  });

  it('when PUT leaves out description and parent, then they are reset', async () => {
    const parent = await createCategory(catalog, { name: 'Rodents' });
    const category = await createCategory(catalog, {
      name: 'Hamsters',
      description: 'Small',
      parent_id: parent.id,
    });
    const response = await inject({
      method: 'PUT',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { name: 'Hamsters and Gerbils' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'Hamsters and Gerbils', description: '', parent_id: null });
  });

  it('when PUT has no name, then it is a 400', async () => {
    const category = await createCategory(catalog, { name: 'Tortoises' });
    const response = await inject({
      method: 'PUT',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { description: 'slow' },
    });
    expect(response.statusCode).toBe(400);
  });

  it('when PATCH changes nothing, then no event is written and the version stays', async () => {
    const category = await createCategory(catalog, { name: 'Snails' });
    const before = (await recordedEvents(catalog.t, 'category_events')).length;
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { name: 'Snails' },
    });
    expect(response.statusCode).toBe(200);
    expect((await recordedEvents(catalog.t, 'category_events')).length).toBe(before);
  });

  it('when the new name belongs to another category, then it is a 409', async () => {
    await createCategory(catalog, { name: 'Geckos' });
    const other = await createCategory(catalog, { name: 'Iguanas' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${other.id}`,
      headers: catalog.admin,
      payload: { name: 'GECKOS' },
    });
    expect(response.statusCode).toBe(409);
  });

  it('when only the case of its own name changes, then it is allowed', async () => {
    const category = await createCategory(catalog, { name: 'axolotls' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { name: 'Axolotls' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().name).toBe('Axolotls');
  });

  it('when a category would become its own parent, then it is a 409', async () => {
    const category = await createCategory(catalog, { name: 'Loops' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { parent_id: category.id },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'CATEGORIES.CYCLE' });
  });

  it('when a category would move below its own grandchild, then PUT and PATCH are a 409', async () => {
    const top = await createCategory(catalog, { name: 'Top' });
    const middle = await createCategory(catalog, { name: 'Middle', parent_id: top.id });
    const bottom = await createCategory(catalog, { name: 'Bottom', parent_id: middle.id });
    for (const method of ['PUT', 'PATCH'] as const) {
      const response = await inject({
        method,
        url: `/api/categories/${top.id}`,
        headers: catalog.admin,
        payload: { name: 'Top', parent_id: bottom.id },
      });
      expect(response.statusCode).toBe(409);
    }
  });

  it('when a category moves under a sibling branch, then it is allowed', async () => {
    const left = await createCategory(catalog, { name: 'Left' });
    const right = await createCategory(catalog, { name: 'Right' });
    const leaf = await createCategory(catalog, { name: 'Leaf', parent_id: left.id });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${leaf.id}`,
      headers: catalog.admin,
      payload: { parent_id: right.id },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().parent_id).toBe(right.id);
  });

  it('when the new parent does not exist, then it is a 400', async () => {
    const category = await createCategory(catalog, { name: 'Wanderers' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { parent_id: 888_888 },
    });
    expect(response.statusCode).toBe(400);
  });

  it('when the category does not exist, then PUT and PATCH are a 404', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      const response = await inject({
        method,
        url: '/api/categories/777777',
        headers: catalog.admin,
        payload: { name: 'Ghost' },
      });
      expect(response.statusCode).toBe(404);
    }
  });

  it('when a customer or nobody tries, then it is a 403 or a 401', async () => {
    const category = await createCategory(catalog, { name: 'Guarded' });
    const url = `/api/categories/${category.id}`;
    const asCustomer = await inject({
      method: 'PATCH',
      url,
      headers: catalog.customer,
      payload: { name: 'A' },
    });
    const asNobody = await inject({ method: 'PUT', url, payload: { name: 'B' } });
    expect([asCustomer.statusCode, asNobody.statusCode]).toEqual([403, 401]);
  });

  it('when PATCH has an unknown field, then it is a 400', async () => {
    const category = await createCategory(catalog, { name: 'Strict' });
    const response = await inject({
      method: 'PATCH',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
      payload: { product_count: 5 },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('DELETE /api/categories/:id', () => {
  it('when the category is empty, then it is a 204, it is gone and category.deleted is written', async () => {
    const category = await createCategory(catalog, { name: 'Short-lived' });
    const response = await inject({
      method: 'DELETE',
      url: `/api/categories/${category.id}`,
      headers: catalog.admin,
    });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect((await inject({ method: 'GET', url: `/api/categories/${category.id}` })).statusCode).toBe(404);
    const deleted = (await recordedEvents(catalog.t, 'category_events', 'category.deleted')).find(
      (row) => row.message.category_id === category.id,
    );
    expect(deleted?.message).toMatchObject({ event: 'category_deleted', version: 2 });
    expect(Object.keys(deleted!.message).sort()).toEqual(
      ['category_id', 'event', 'event_id', 'timestamp', 'version'].sort(),
    );
  });

  it('when the category has children, then it is a 409', async () => {
    const parent = await createCategory(catalog, { name: 'Has Kids' });
    await createCategory(catalog, { name: 'Kid', parent_id: parent.id });
    const response = await inject({
      method: 'DELETE',
      url: `/api/categories/${parent.id}`,
      headers: catalog.admin,
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'CATEGORIES.HAS_CHILDREN' });
  });

  it('when the category does not exist, then it is a 404', async () => {
    const response = await inject({
      method: 'DELETE',
      url: '/api/categories/666666',
      headers: catalog.admin,
    });
    expect(response.statusCode).toBe(404);
  });

  it('when a customer or nobody tries, then it is a 403 or a 401', async () => {
    const category = await createCategory(catalog, { name: 'Kept' });
    const url = `/api/categories/${category.id}`;
    const asCustomer = await inject({ method: 'DELETE', url, headers: catalog.customer });
    const asNobody = await inject({ method: 'DELETE', url });
    expect([asCustomer.statusCode, asNobody.statusCode]).toEqual([403, 401]);
  });
});
