import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closestName } from '../../src/platform/http/validation-messages.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  errors: { path: string; message: string }[];
}

describe('validation errors that teach', () => {
  let t: TestApp;
  let admin: { authorization: string };

  beforeAll(async () => {
    t = await buildTestApp();
    admin = await t.bearer({ id: 1, isStaff: true });
  });
  afterAll(() => t.close());

  async function postProduct(body: unknown): Promise<ProblemBody> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/products',
      headers: admin,
      payload: body as Record<string, unknown>,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    return response.json<ProblemBody>();
  }

  it('when a body has five wrong fields, then the answer lists all five, one clear message each', async () => {
    const problem = await postProduct({
      name: '',
      description: 7,
      price: 'cheap',
      category: 0,
      animal_type: 'dragon',
    });
    expect(problem.errors).toEqual([
      { path: 'body.name', message: 'must not be empty' },
      { path: 'body.description', message: 'must be a string' },
      { path: 'body.price', message: expect.stringMatching(/^must be a decimal/) },
      { path: 'body.category', message: 'must be at least 1' },
      { path: 'body.animal_type', message: 'must be one of: dog, cat, bird, fish, small_pet or other' },
    ]);
    for (const error of problem.errors) expect(problem.detail).toContain(`${error.path} ${error.message}`);
  });

  it('when a union is given a value of none of its kinds, then one message names the kinds it takes', async () => {
    const problem = await postProduct({
      name: 'Bone',
      description: 'chew',
      price: true,
      category: 1,
      animal_type: 'dog',
    });
    expect(problem.errors).toEqual([{ path: 'body.price', message: expect.stringMatching(/ or a number$/) }]);
    expect(problem.errors[0]!.message).not.toMatch(/anyOf|schema|pattern/);
  });

  it('when a required field is missing and an unknown one is sent, then each is named once', async () => {
    const problem = await postProduct({
      name: 'Bone',
      description: 'chew',
      price: '1.00',
      animal_type: 'dog',
      categroy: 1,
    });
    expect(problem.errors).toEqual([
      { path: 'body.category', message: 'is required' },
      { path: 'body.categroy', message: 'is not an allowed field (did you mean "category"?)' },
    ]);
  });

  it('when a query parameter is spelled the Python way, then the answer suggests the name the API knows', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/products?animal_type=dog' });
    expect(response.statusCode).toBe(400);
    expect(response.json<ProblemBody>().errors).toEqual([
      { path: 'querystring.animal_type', message: 'is not an allowed field (did you mean "animalType"?)' },
    ]);
  });

  it('when an enum query parameter has a wrong value, then the message lists the allowed values', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/products?ordering=cheapest' });
    expect(response.statusCode).toBe(400);
    const [error] = response.json<ProblemBody>().errors;
    expect(error?.path).toBe('querystring.ordering');
    expect(error?.message).toMatch(/^must be one of: price, -price, name, -name, /);
  });

  it('when hundreds of array items are wrong, then the answer stops at fifty errors', async () => {
    const user = await t.bearer({ id: 2 });
    const items = Array.from({ length: 50 }, () => ({ product_id: 'x', quantity: 'y' }));
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: user,
      payload: { items },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<ProblemBody>().errors).toHaveLength(50);
  });
});

describe('closestName', () => {
  it.each([
    ['animal_type', 'animalType'],
    ['AnimalType', 'animalType'],
    ['min-price', 'min_price'],
    ['serach', 'search'],
    ['categroy', 'category'],
  ])('when a client sends %s, then it suggests %s', (sent, expected) => {
    expect(closestName(sent, ['animalType', 'min_price', 'max_price', 'search', 'category', 'page'])).toBe(
      expected,
    );
  });

  it('when nothing is close, then it suggests nothing', () => {
    expect(closestName('is_staff', ['first_name', 'last_name', 'email', 'phone', 'address'])).toBeUndefined();
    expect(closestName('x', ['page', 'limit'])).toBeUndefined();
  });
});
