import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProductsService } from '../../src/modules/products/products.service.js';
import { buildCatalogApp, type CatalogTest, createCategory, recordedEvents } from './catalog.fixture.js';

let catalog: CatalogTest;
let category: number;
beforeAll(async () => {
  catalog = await buildCatalogApp();
  category = (await createCategory(catalog, { name: 'Bulk' })).id;
  const products = new ProductsService(catalog.t.database);
  const batch = Array.from({ length: 150 }, (_, index) => ({
    name: `Bulk Item ${String(index).padStart(3, '0')}`,
    description: `Item "${index}" with 'quotes' and ünïcode`,
    priceCents: 1000 + index,
    categoryId: category,
    animalType: 'other' as const,
    stock: index % 3,
    specifications: { index, nested: { ok: true } },
  }));
  await products.importMany(batch);
  await catalog.t.settle();
});
afterAll(async () => catalog.t.close());

describe('a bulk import (the seed path)', () => {
  it('when 150 products are imported, then each one is stored exactly and publishes product.created', async () => {
    const events = await recordedEvents(catalog.t, 'product_events', 'product.created');
    expect(events).toHaveLength(150);
    const last = events.at(-1)!.message;
    expect(last).toMatchObject({ name: 'Bulk Item 149', price: '11.49', stock: 2, version: 1 });
    const stored = await catalog.t.app.inject({ method: 'GET', url: `/api/products/${last.product_id}` });
    expect(stored.json()).toMatchObject({
      description: `Item "149" with 'quotes' and ünïcode`,
      price: '11.49',
      category_name: 'Bulk',
      specifications: { index: 149, nested: { ok: true } },
    });
  });

  it('when the events are delivered, then product_count counts every imported product', async () => {
    const response = await catalog.t.app.inject({ method: 'GET', url: `/api/categories/${category}` });
    expect(response.json().product_count).toBe(150);
  });

  it('when limit is above 100, then a page holds 100 and the links say limit=100', async () => {
    const body = (await catalog.t.app.inject({ method: 'GET', url: '/api/products?limit=1000' })).json();
    expect(body.count).toBe(150);
    expect(body.results).toHaveLength(100);
    expect(new URL(body.next).searchParams.get('limit')).toBe('100');
  });

  it('when an imported category is unknown, then nothing of the batch is written', async () => {
    const products = new ProductsService(catalog.t.database);
    const item = { name: 'X', description: '', priceCents: 1, animalType: 'dog' as const };
    await expect(
      products.importMany([
        { ...item, categoryId: category },
        { ...item, categoryId: 123_456 },
      ]),
    ).rejects.toMatchObject({ code: 'PRODUCTS.UNKNOWN_CATEGORY' });
    expect(await recordedEvents(catalog.t, 'product_events', 'product.created')).toHaveLength(150);
  });
});
