import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CUSTOMERS } from '../../scripts/seed/demo.data.js';
import type { Database } from '../../src/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { counts, inspector, seed } from './seed-harness.js';

let testDatabase: TestDatabase;
let database: Database;
let app: FastifyInstance;
let staff: { authorization: string };
beforeAll(async () => {
  testDatabase = await createTestDatabase();
  database = await testDatabase.open();
  ({ app, staff } = await inspector(testDatabase, database));
});
afterAll(async () => {
  await app?.close();
  await database?.close();
  await testDatabase?.drop();
});

describe('the seed command line', () => {
  it('when a user runs npm run seed -- --help, then it prints the usage and exits 0', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'seed', '--', '--help'], {
      cwd: new URL('../..', import.meta.url),
    });
    expect(stdout).toContain('Usage: npm run seed');
    expect(stdout).toContain('--demo');
  });

  it('when an option is unknown, then one line says so with the hint, exit 2 and no stack trace', async () => {
    const run = await seed(['--bogus'], testDatabase, database);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "npm run seed: Unknown option '--bogus'\nTry 'npm run seed -- --help' for the options.\n",
    );
    expect(run.stdout).toBe('');
  });

  it('when --products is not a number, then it exits 2 naming the value', async () => {
    const run = await seed(['--products', 'abc'], testDatabase, database);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--products takes a whole number');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('seeding a catalog that already has some of it', () => {
  it('when a hand-made category has a seed category’s name, then the seed reuses it and a second run adds nothing', async () => {
    const made = await app.inject({
      method: 'POST',
      url: '/api/categories',
      headers: staff,
      payload: { name: 'dogs', description: 'made by hand' },
    });
    expect(made.statusCode).toBe(201);

    const first = await seed(['--products', '5'], testDatabase, database);
    expect(first.stderr).not.toContain('failed');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('categories: 16 added, 1 already there');
    // Not a terminal: every phase in plain lines, the delivery counted in deliveries handled.
    expect(first.stderr).not.toContain('\r');
    expect(first.stderr).toMatch(/^categories: 17\/17 categories done$/m);
    expect(first.stderr).toMatch(/^delivering events: 0\/[1-9]\d* deliveries$/m);
    expect(first.stderr).toMatch(/^delivering events: ([1-9]\d*)\/\1 deliveries done$/m);
    const after = await counts(app, staff);
    expect(after.categories.filter((name) => name.toLowerCase() === 'dogs')).toEqual(['dogs']);
    expect(after.categories).toHaveLength(17);
    expect(after.products).toBe(36 + 5);
    const dogFood = (await app.inject({ method: 'GET', url: '/api/categories/tree' })).json();
    const dogs = dogFood.find((node: { name: string }) => node.name === 'dogs');
    expect(dogs.id).toBe(made.json().id);
    expect(dogs.children.map((child: { name: string }) => child.name)).toContain('Dog Food');

    const second = await seed(['--products', '5'], testDatabase, database);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('categories: 0 added, 17 already there');
    expect(second.stdout).toContain('products: 0 added, 36 already there');
    expect(second.stdout).toContain('generated products: 0 added, 5 already there');
    expect(await counts(app, staff)).toEqual(after);

    const more = await seed(['--products', '8'], testDatabase, database);
    expect(more.stdout).toContain('generated products: 3 added, 5 already there');
    expect((await counts(app, staff)).products).toBe(36 + 8);
  }, 120_000);
});

describe('the demo', () => {
  it('when seeded with --demo, then orders are in every state, carts hold items and reviews exist; again, nothing doubles', async () => {
    const run = await seed(['--demo'], testDatabase, database);
    expect(run.stderr).not.toContain('failed');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`demo customers: ${DEMO_CUSTOMERS.length} added`);

    const orders = (await app.inject({ method: 'GET', url: '/api/orders?limit=100', headers: staff })).json();
    const statuses = new Set(orders.results.map((order: { status: string }) => order.status));
    expect([...statuses].sort()).toEqual([
      'cancelled',
      'confirmed',
      'delivered',
      'paid',
      'rejected',
      'shipped',
    ]);
    for (const order of orders.results) expect(order.status_history[0].status).toBe('pending');
    // Every demo customer has an address book, and every order ships to its owner's default.
    expect(run.stdout).toContain(
      `demo addresses: ${DEMO_CUSTOMERS.reduce((sum, customer) => sum + customer.addresses.length, 0)} added`,
    );
    for (const order of orders.results) {
      expect(order.shipping_address, order.id).toMatchObject({
        country: expect.stringMatching(/^[A-Z]{2}$/),
      });
    }

    for (const customer of DEMO_CUSTOMERS) {
      const login = await app.inject({
        method: 'POST',
        url: '/api/users/login',
        payload: { username: customer.username, password: customer.password },
      });
      expect(login.statusCode, customer.username).toBe(200);
      const authorization = `Bearer ${login.json().access}`;
      const cart = await app.inject({ method: 'GET', url: '/api/cart', headers: { authorization } });
      expect(cart.json().items.length, customer.username).toBeGreaterThan(0);
      const book = await app.inject({
        method: 'GET',
        url: '/api/users/me/addresses',
        headers: { authorization },
      });
      expect(book.json().results[0], customer.username).toMatchObject({
        ...customer.addresses[0],
        is_default: true,
      });
      expect(book.json().count).toBe(customer.addresses.length);
    }
    const before = await counts(app, staff);
    expect(before.reviews).toBeGreaterThanOrEqual(5);
    const verified = (await app.inject({ method: 'GET', url: '/api/reviews?limit=100' })).json();
    expect(verified.results.some((review: { verified_purchase: boolean }) => review.verified_purchase)).toBe(
      true,
    );

    const again = await seed(['--demo'], testDatabase, database);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`demo customers: 0 added, ${DEMO_CUSTOMERS.length} already there`);
    expect(again.stdout).toContain('demo reviews: 0 added');
    expect(again.stdout).toContain('demo addresses: 0 added');
    expect(await counts(app, staff)).toEqual(before);
  }, 180_000);
});
