import type { TestApp } from '../helpers/test-app.js';
import type { Knowledge } from './response-checks.js';
import type { Hints } from './schema-arbitraries.js';

/** Configuration of the apps the security suites build: a bootstrap admin with a known password. */
export const ADMIN = { email: 'admin@mascotas.test', username: 'admin', password: 'admin-password-1' };
export const SECURITY_CONFIG = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };

export interface Account {
  id: number;
  username: string;
  email: string;
  password: string;
  /** From a real login. */
  access: string;
  refresh: string;
  headers: { authorization: string };
}

export interface Shop {
  admin: Account;
  customerA: Account;
  customerB: Account;
  categoryIds: number[];
  productIds: number[];
  orderIds: string[];
  reviewIds: number[];
}

type Json = Record<string, unknown>;

/** Sends a JSON request and insists on the status: seeding that fails is a broken test, not a finding. */
export async function call(
  t: TestApp,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown; expect?: number } = {},
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field by the tests.
): Promise<any> {
  const response = await t.app.inject({
    method: method as 'GET',
    url,
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { payload: options.body as Json }),
  });
  if (options.expect !== undefined && response.statusCode !== options.expect) {
    throw new Error(
      `${method} ${url} answered ${response.statusCode}, not ${options.expect}: ${response.body}`,
    );
  }
  return response.body ? response.json() : undefined;
}

export async function login(t: TestApp, username: string, password: string): Promise<Omit<Account, 'email'>> {
  const answer = await call(t, 'POST', '/api/users/login', { body: { username, password }, expect: 200 });
  return {
    id: answer.user.id,
    username,
    password,
    access: answer.access,
    refresh: answer.refresh,
    headers: { authorization: `Bearer ${answer.access}` },
  };
}

let registered = 0;

/** A real user: registered through the users module, then logged in. */
export async function registerAccount(t: TestApp, name: string): Promise<Account> {
  registered += 1;
  const username = `${name}${registered}`;
  const email = `${username}@mail.test`;
  const password = `${name}-secret-password`;
  await call(t, 'POST', '/api/users/register', { body: { username, email, password }, expect: 201 });
  return { ...(await login(t, username, password)), email };
}

export async function adminAccount(t: TestApp): Promise<Account> {
  return { ...(await login(t, ADMIN.username, ADMIN.password)), email: ADMIN.email };
}

let productCounter = 0;

export async function createProduct(
  t: TestApp,
  admin: Account,
  category: number,
  overrides: Json = {},
): Promise<number> {
  productCounter += 1;
  const body = {
    name: `Product ${productCounter}`,
    description: 'A thing for pets',
    price: '12.50',
    category,
    animal_type: 'dog',
    stock: 100,
    ...overrides,
  };
  return (await call(t, 'POST', '/api/products', { headers: admin.headers, body, expect: 201 })).id;
}

let categoryCounter = 0;

export async function createCategory(
  t: TestApp,
  admin: Account,
  parent: number | null = null,
): Promise<number> {
  categoryCounter += 1;
  const body = { name: `Category ${categoryCounter}`, parent_id: parent };
  return (await call(t, 'POST', '/api/categories', { headers: admin.headers, body, expect: 201 })).id;
}

/** A small shop: a category tree, products, and for each customer a cart line, an order and a review. */
export async function seedShop(t: TestApp): Promise<Shop> {
  const admin = await adminAccount(t);
  const customerA = await registerAccount(t, 'alice');
  const customerB = await registerAccount(t, 'bob');
  const dogs = await createCategory(t, admin);
  const dogFood = await createCategory(t, admin, dogs);
  const cats = await createCategory(t, admin);
  await t.settle(); // products knows categories from their events
  const productIds = [
    await createProduct(t, admin, dogFood),
    await createProduct(t, admin, dogs, { specifications: { weight_kg: 2 } }),
    await createProduct(t, admin, cats, { animal_type: 'cat', price: '3.99' }),
    await createProduct(t, admin, cats, { animal_type: 'cat', stock: 1 }),
  ];
  await t.settle();
  const orderIds: string[] = [];
  const reviewIds: number[] = [];
  for (const [index, customer] of [customerA, customerB].entries()) {
    const headers = customer.headers;
    await call(t, 'POST', '/api/cart/items', {
      headers,
      body: { product_id: productIds[0], quantity: 1 },
      expect: 201,
    });
    const order = await call(t, 'POST', '/api/orders', {
      headers,
      body: { items: [{ product_id: productIds[index + 1], quantity: 1 }] },
      expect: 201,
    });
    orderIds.push(order.id);
    const review = await call(t, 'POST', '/api/reviews', {
      headers,
      body: { product_id: productIds[index], rating: 4 + index, comment: 'Good' },
      expect: 201,
    });
    reviewIds.push(review.id);
  }
  await t.settle();
  return { admin, customerA, customerB, categoryIds: [dogs, dogFood, cats], productIds, orderIds, reviewIds };
}

export function knowledgeOf(shop: Shop): Knowledge {
  return {
    emails: new Map(
      [shop.admin, shop.customerA, shop.customerB].map((account) => [account.id, account.email]),
    ),
  };
}

/** Real ids for the fields of a module's routes, so that the fuzz hits seeded rows some of the time. */
export function hintsFor(shop: Shop, module: string | null): Hints {
  const userIds = [shop.admin.id, shop.customerA.id, shop.customerB.id];
  const ids: Record<string, readonly (string | number)[]> = {
    // Not the fuzz's own customer and admin: an admin route that promoted or deactivated them would
    // change who the fuzz's "customer" is for the rest of the route's runs.
    users: [shop.customerB.id],
    categories: shop.categoryIds,
    products: shop.productIds,
    orders: shop.orderIds,
    reviews: shop.reviewIds,
  };
  return {
    id: ids[module ?? ''] ?? [],
    product_id: shop.productIds,
    product: shop.productIds,
    category: shop.categoryIds,
    parent_id: shop.categoryIds,
    parent: shop.categoryIds,
    user: userIds,
  };
}
