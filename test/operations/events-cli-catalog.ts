import { expect } from 'vitest';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { productsModule } from '../../src/modules/products/index.js';
import type { TestApp } from '../helpers/test-app.js';
import { flakyConsumer } from './flaky-consumer.js';

/** Real module queues, so that the CLI, which knows the real modules, sees them. */
export const QUEUE = 'products.category_events';

export function catalog() {
  const flaky = flakyConsumer(productsModule, 'category_events');
  return { flaky, modules: [categoriesModule, flaky.module] };
}

export async function createCategory(t: TestApp, name: string): Promise<number> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/categories',
    headers: await t.bearer({ id: 1, isStaff: true }),
    payload: { name },
  });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

/** Whether the products module knows the category (its read model): a product can be put in it. */
export async function productsKnow(t: TestApp, category: number): Promise<boolean> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/products',
    headers: await t.bearer({ id: 1, isStaff: true }),
    payload: {
      name: `Kibble ${category}`,
      description: 'dry food',
      price: '9.90',
      category,
      animal_type: 'dog',
    },
  });
  return response.statusCode === 201;
}
