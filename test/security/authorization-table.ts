import type { TestApp } from '../helpers/test-app.js';
import {
  type Actor,
  adminOnly,
  everyone,
  type MatrixTable,
  type MatrixWorld,
  owned,
  signedIn,
} from './authorization-matrix.js';
import {
  type Account,
  call,
  createCategory,
  createProduct,
  login,
  registerAccount,
  type Shop,
  seedShop,
} from './shop-seed.js';

type Owner = Exclude<Actor, 'anonymous'>;

/** The seeded shop, its real accounts, and fresh resources for cells that use one up. */
export class ShopWorld implements MatrixWorld {
  private nextCartProduct = 0;
  private nextOrderProduct = 0;
  private readonly reviewed: Record<Owner, number> = { customerA: 0, customerB: 0, admin: 0 };

  private constructor(
    readonly t: TestApp,
    readonly shop: Shop,
    private readonly pool: number[],
  ) {}

  /** The seeded shop and a pool of products for the cells (the full matrix puts about 27 in carts). */
  static async create(t: TestApp, poolSize = 32): Promise<ShopWorld> {
    const shop = await seedShop(t);
    const category = await createCategory(t, shop.admin);
    await t.settle();
    const pool: number[] = [];
    for (let index = 0; index < poolSize; index++) pool.push(await createProduct(t, shop.admin, category));
    await t.settle();
    return new ShopWorld(t, shop, pool);
  }

  account(actor: Owner): Account {
    return { customerA: this.shop.customerA, customerB: this.shop.customerB, admin: this.shop.admin }[actor];
  }

  headersOf(actor: Actor): Record<string, string> {
    return actor === 'anonymous' ? {} : this.account(actor).headers;
  }

  /** A product no earlier cell put in a cart (every module knows it: the pool was settled). */
  cartProduct(): number {
    const product = this.pool[this.nextCartProduct++];
    if (product === undefined) throw new Error('the matrix needs a larger product pool');
    return product;
  }

  /** A product to order (stock 100 each, so the pool may be reused). */
  orderProduct(): number {
    return this.pool[this.nextOrderProduct++ % this.pool.length] as number;
  }

  /** A product the owner has not reviewed yet. */
  unreviewedProduct(owner: Owner): number {
    return this.pool[this.reviewed[owner]++ % this.pool.length] as number;
  }

  async order(owner: Owner): Promise<string> {
    const body = { items: [{ product_id: this.orderProduct(), quantity: 1 }] };
    return (await call(this.t, 'POST', '/api/orders', { headers: this.headersOf(owner), body, expect: 201 }))
      .id;
  }

  async review(owner: Owner): Promise<number> {
    const body = { product_id: this.unreviewedProduct(owner), rating: 3, comment: 'Fine' };
    return (await call(this.t, 'POST', '/api/reviews', { headers: this.headersOf(owner), body, expect: 201 }))
      .id;
  }

  /** A product in the owner's cart that no other cart line of the test uses. */
  async cartLine(owner: Owner): Promise<number> {
    const product = this.cartProduct();
    const body = { product_id: product, quantity: 1 };
    await call(this.t, 'POST', '/api/cart/items', { headers: this.headersOf(owner), body, expect: 201 });
    return product;
  }

  private readonly kept = new Map<string, Promise<number | string>>();

  /**
   * A resource of the owner shared by the cells that must not change it (a refused request uses up
   * nothing); cells that are allowed to change it make their own with `fresh`.
   */
  private keep<T extends number | string>(key: string, make: () => Promise<T>): Promise<T> {
    if (!this.kept.has(key)) this.kept.set(key, make());
    return this.kept.get(key) as Promise<T>;
  }

  /** A checkout of the owner's, settled: its order exists, so its Location answers 303. */
  async checkoutFor(owner: Owner): Promise<string> {
    return this.keep(`checkout ${owner}`, async () => {
      const headers = this.headersOf(owner);
      // A product of the order pool (stock 100 each): the cart-line pool is exactly sized for its cells.
      const body = { product_id: this.orderProduct(), quantity: 1 };
      await call(this.t, 'POST', '/api/cart/items', { headers, body, expect: 201 });
      const answer = await call(this.t, 'POST', '/api/cart/checkout', { headers, expect: 202 });
      await this.t.settle();
      return answer.order_id as string;
    });
  }

  async address(owner: Owner): Promise<number> {
    const headers = this.headersOf(owner);
    return (await call(this.t, 'POST', '/api/users/me/addresses', { headers, body: ADDRESS, expect: 201 }))
      .id;
  }

  async addressFor(owner: Owner, fresh: boolean): Promise<number> {
    return fresh ? this.address(owner) : this.keep(`address ${owner}`, () => this.address(owner));
  }

  async orderFor(owner: Owner, fresh: boolean): Promise<string> {
    return fresh ? this.order(owner) : this.keep(`order ${owner}`, () => this.order(owner));
  }

  async reviewFor(owner: Owner, fresh: boolean): Promise<number> {
    return fresh ? this.review(owner) : this.keep(`review ${owner}`, () => this.review(owner));
  }

  async categoryFor(fresh: boolean): Promise<number> {
    return fresh ? this.emptyCategory() : this.keep('category', () => this.emptyCategory());
  }

  async productFor(fresh: boolean): Promise<number> {
    return fresh ? this.freshProduct() : this.keep('product', () => this.freshProduct());
  }

  async emptyCategory(): Promise<number> {
    return createCategory(this.t, this.shop.admin);
  }

  /** A product made for this cell alone (not settled: only the products module knows it yet). */
  async freshProduct(): Promise<number> {
    return createProduct(this.t, this.shop.admin, this.shop.categoryIds[0] as number);
  }

  async refreshToken(owner: Owner): Promise<string> {
    const account = this.account(owner);
    return (await login(this.t, account.username, account.password)).refresh;
  }

  async newAccount(): Promise<Account> {
    return registerAccount(this.t, 'matrix');
  }
}

const ADDRESS = {
  name: 'Matrix Person',
  line1: 'Calle Mayor 1',
  city: 'Madrid',
  postal_code: '28013',
  country: 'ES',
};

/** No such dead letter: the matrix checks the guard, not the operations themselves. */
const DEAD_LETTER = 'cart.product_events:00000000-0000-4000-8000-000000000000';

let unique = 0;
const uniqueName = (prefix: string) => `${prefix}-${++unique}-${Date.now().toString(36)}`;

const productBody = (world: ShopWorld) => ({
  name: uniqueName('Matrix product'),
  description: 'Made by the authorization matrix',
  price: '4.20',
  category: world.shop.categoryIds[0],
  animal_type: 'dog',
  stock: 10,
});

/**
 * The contract (docs/api.md) as a table: every route of the app, what anonymous, customer A,
 * customer B and an admin get on their own and on another user's resource. Another user's order or
 * cart line is a 404; another user's review is a 403 (docs/modules/reviews.md: reviews are public,
 * so a 404 would hide nothing), for admins too when changing it, not when deleting it.
 */
export const SHOP_MATRIX: MatrixTable<ShopWorld> = {
  'GET /health/live': { expect: everyone(200), request: () => ({ url: '/health/live' }) },
  'GET /health/ready': { expect: everyone(200), request: () => ({ url: '/health/ready' }) },

  // the platform's operations API: staff only (an unknown dead letter is a 404 once past the guard)
  'GET /api/admin/events/status': {
    expect: adminOnly(200),
    request: () => ({ url: '/api/admin/events/status' }),
  },
  'GET /api/admin/events/dead-letters': {
    expect: adminOnly(200),
    request: () => ({ url: '/api/admin/events/dead-letters' }),
  },
  'GET /api/admin/events/dead-letters/:id': {
    expect: adminOnly(404),
    request: () => ({ url: `/api/admin/events/dead-letters/${DEAD_LETTER}` }),
  },
  'POST /api/admin/events/dead-letters/:id/replay': {
    expect: adminOnly(404),
    request: () => ({ url: `/api/admin/events/dead-letters/${DEAD_LETTER}/replay` }),
  },
  'POST /api/admin/events/dead-letters/replay': {
    expect: adminOnly(200),
    request: () => ({ url: '/api/admin/events/dead-letters/replay', body: { queue: 'cart.product_events' } }),
  },
  'DELETE /api/admin/events/dead-letters/:id': {
    expect: adminOnly(404),
    request: () => ({ url: `/api/admin/events/dead-letters/${DEAD_LETTER}` }),
  },
  'DELETE /api/admin/events/dead-letters': {
    expect: adminOnly(200),
    request: () => ({ url: '/api/admin/events/dead-letters?queue=cart.product_events&all=true' }),
  },

  // users
  'POST /api/users/register': {
    expect: everyone(201),
    request: () => {
      const username = uniqueName('matrix');
      return {
        url: '/api/users/register',
        body: { username, email: `${username}@mail.test`, password: 'matrix-password-1' },
      };
    },
  },
  'POST /api/users/login': {
    expect: everyone(200),
    request: ({ world, owner }) => {
      const { username, password } = world.account(owner);
      return { url: '/api/users/login', body: { username, password }, actingAs: owner };
    },
  },
  'POST /api/users/token/refresh': {
    expect: everyone(200),
    request: async ({ world, owner }) => ({
      url: '/api/users/token/refresh',
      body: { refresh: await world.refreshToken(owner) },
    }),
  },
  'POST /api/users/logout': {
    expect: { ...signedIn(204) },
    request: async ({ world, owner }) => ({
      url: '/api/users/logout',
      body: { refresh: await world.refreshToken(owner) },
    }),
    // Logging out with someone else's refresh token must not end their session.
    verify: async ({ world, actor, owner }, _response, request) => {
      if (actor === owner) return [];
      const refresh = (request.body as { refresh: string }).refresh;
      const again = await world.t.app.inject({
        method: 'POST',
        url: '/api/users/token/refresh',
        payload: { refresh },
      });
      return again.statusCode === 200 ? [] : [`ended ${owner}'s session (refresh now ${again.statusCode})`];
    },
  },
  'GET /api/users/me': {
    expect: signedIn(200),
    request: () => ({ url: '/api/users/me' }),
    verify: ({ world, actor }, response) => {
      const id = (JSON.parse(response.body) as { id: number }).id;
      return actor !== 'anonymous' && id !== world.account(actor).id ? [`shows user ${id}`] : [];
    },
  },
  'PATCH /api/users/me': {
    expect: signedIn(200),
    request: () => ({ url: '/api/users/me', body: { first_name: 'Matrix' } }),
  },
  // the address book is under /me: its owner's alone, staff included
  'GET /api/users/me/addresses': {
    expect: signedIn(200),
    request: () => ({ url: '/api/users/me/addresses' }),
  },
  'POST /api/users/me/addresses': {
    expect: signedIn(201),
    request: () => ({ url: '/api/users/me/addresses', body: ADDRESS }),
  },
  'GET /api/users/me/addresses/:id': {
    expect: owned(200, 404, 404),
    request: async ({ world, owner }) => ({
      url: `/api/users/me/addresses/${await world.addressFor(owner, false)}`,
    }),
  },
  'PATCH /api/users/me/addresses/:id': {
    expect: owned(200, 404, 404),
    request: async ({ world, owner }) => ({
      url: `/api/users/me/addresses/${await world.addressFor(owner, false)}`,
      body: { city: 'Sevilla' },
    }),
  },
  'DELETE /api/users/me/addresses/:id': {
    expect: owned(204, 404, 404),
    request: async ({ world, actor, owner }) => ({
      url: `/api/users/me/addresses/${await world.addressFor(owner, actor === owner)}`,
    }),
  },
  'POST /api/users/me/password': {
    expect: signedIn(204),
    request: ({ world, actor }) => {
      const password = world.account(actor === 'anonymous' ? 'customerA' : actor).password;
      return { url: '/api/users/me/password', body: { current_password: password, new_password: password } };
    },
  },
  // Mailed-token routes: anyone may ask for a reset (the same 202 for any e-mail) or present a token.
  'POST /api/users/password/reset': {
    expect: everyone(202),
    request: () => ({
      url: '/api/users/password/reset',
      body: { email: `${uniqueName('reset')}@mail.test` },
    }),
  },
  'POST /api/users/password/reset/confirm': {
    expect: everyone(400),
    request: () => ({
      url: '/api/users/password/reset/confirm',
      body: { token: 'A'.repeat(43), new_password: 'matrix-password-2' },
    }),
  },
  'POST /api/users/email/verify': {
    expect: everyone(400),
    request: () => ({ url: '/api/users/email/verify', body: { token: 'A'.repeat(43) } }),
  },
  // The customers are unverified; the bootstrap admin was created verified (409).
  'POST /api/users/me/email/verification': {
    expect: { ...signedIn(202), admin: { own: 409, other: 409 } },
    request: () => ({ url: '/api/users/me/email/verification' }),
  },
  'GET /api/users': { expect: adminOnly(200), request: () => ({ url: '/api/users' }) },
  'GET /api/users/:id': {
    expect: adminOnly(200),
    request: ({ world, owner }) => ({ url: `/api/users/${world.account(owner).id}` }),
  },
  'PATCH /api/users/:id': {
    expect: adminOnly(200),
    request: ({ world, owner }) => ({
      url: `/api/users/${world.account(owner).id}`,
      body: { is_active: true },
    }),
  },

  // categories
  'GET /api/categories': { expect: everyone(200), request: () => ({ url: '/api/categories' }) },
  'GET /api/categories/tree': { expect: everyone(200), request: () => ({ url: '/api/categories/tree' }) },
  'GET /api/categories/:id': {
    expect: everyone(200),
    request: ({ world }) => ({ url: `/api/categories/${world.shop.categoryIds[0]}` }),
  },
  'POST /api/categories': {
    expect: adminOnly(201),
    request: () => ({ url: '/api/categories', body: { name: uniqueName('Matrix category') } }),
  },
  'PUT /api/categories/:id': {
    expect: adminOnly(200),
    request: async ({ world, actor }) => ({
      url: `/api/categories/${await world.categoryFor(actor === 'admin')}`,
      body: { name: uniqueName('Matrix category'), description: 'replaced' },
    }),
  },
  'PATCH /api/categories/:id': {
    expect: adminOnly(200),
    request: async ({ world, actor }) => ({
      url: `/api/categories/${await world.categoryFor(actor === 'admin')}`,
      body: { description: 'changed' },
    }),
  },
  'DELETE /api/categories/:id': {
    expect: adminOnly(204),
    request: async ({ world, actor }) => ({
      url: `/api/categories/${await world.categoryFor(actor === 'admin')}`,
    }),
  },

  // products
  'GET /api/products': { expect: everyone(200), request: () => ({ url: '/api/products' }) },
  'GET /api/products/:id': {
    expect: everyone(200),
    request: ({ world }) => ({ url: `/api/products/${world.shop.productIds[0]}` }),
  },
  'POST /api/products': {
    expect: adminOnly(201),
    request: ({ world }) => ({ url: '/api/products', body: productBody(world) }),
  },
  'PUT /api/products/:id': {
    expect: adminOnly(200),
    request: async ({ world, actor }) => ({
      url: `/api/products/${await world.productFor(actor === 'admin')}`,
      body: productBody(world),
    }),
  },
  'PATCH /api/products/:id': {
    expect: adminOnly(200),
    request: async ({ world, actor }) => ({
      url: `/api/products/${await world.productFor(actor === 'admin')}`,
      body: { stock: 5 },
    }),
  },
  'DELETE /api/products/:id': {
    expect: adminOnly(204),
    request: async ({ world, actor }) => ({
      url: `/api/products/${await world.productFor(actor === 'admin')}`,
    }),
  },
  'POST /api/products/:id/stock': {
    expect: adminOnly(200),
    request: ({ world }) => ({ url: `/api/products/${world.shop.productIds[0]}/stock`, body: { delta: 1 } }),
  },

  // cart: one cart per user, so another user's line is simply not in the actor's cart
  'GET /api/cart': { expect: signedIn(200), request: () => ({ url: '/api/cart' }) },
  'POST /api/cart/items': {
    expect: signedIn(201),
    request: ({ world }) => ({
      url: '/api/cart/items',
      body: { product_id: world.cartProduct(), quantity: 1 },
    }),
  },
  'PATCH /api/cart/items/:product_id': {
    expect: owned(200, 404, 404),
    request: async ({ world, owner }) => ({
      url: `/api/cart/items/${await world.cartLine(owner)}`,
      body: { quantity: 2 },
    }),
  },
  'DELETE /api/cart/items/:product_id': {
    expect: owned(200, 404, 404),
    request: async ({ world, owner }) => ({ url: `/api/cart/items/${await world.cartLine(owner)}` }),
  },
  'DELETE /api/cart': { expect: signedIn(204), request: () => ({ url: '/api/cart' }) },
  'POST /api/cart/checkout': {
    expect: signedIn(202),
    request: async ({ world, actor }) => {
      if (actor !== 'anonymous') await world.cartLine(actor);
      return { url: '/api/cart/checkout' };
    },
  },
  // a checkout's Location: its owner's alone (staff look at orders, not at other people's checkouts)
  'GET /api/cart/checkouts/:order_id': {
    expect: owned(303, 404, 404),
    request: async ({ world, owner }) => ({ url: `/api/cart/checkouts/${await world.checkoutFor(owner)}` }),
  },

  // orders: another user's order is a 404; staff see every order
  'POST /api/orders': {
    expect: signedIn(201),
    request: ({ world }) => ({
      url: '/api/orders',
      body: { items: [{ product_id: world.orderProduct(), quantity: 1 }] },
    }),
  },
  'GET /api/orders': {
    expect: signedIn(200),
    request: () => ({ url: '/api/orders?limit=100' }),
    verify: ({ world, actor }, response) => {
      if (actor === 'admin' || actor === 'anonymous') return [];
      const own = world.account(actor).id;
      const rows = (JSON.parse(response.body) as { results: { user_id: number }[] }).results;
      const foreign = rows.filter((row) => row.user_id !== own);
      return foreign.length > 0 ? [`lists ${foreign.length} orders of other users`] : [];
    },
  },
  'GET /api/orders/:id': {
    expect: owned(200, 404, 200),
    request: async ({ world, owner }) => ({ url: `/api/orders/${await world.orderFor(owner, false)}` }),
  },
  'POST /api/orders/:id/cancel': {
    expect: owned(200, 404, 200),
    request: async ({ world, actor, owner }) => ({
      url: `/api/orders/${await world.orderFor(owner, actor === owner || actor === 'admin')}/cancel`,
    }),
  },
  'PATCH /api/orders/:id/status': {
    expect: adminOnly(200),
    request: async ({ world, actor, owner }) => ({
      url: `/api/orders/${await world.orderFor(owner, actor === 'admin')}/status`,
      body: { status: 'cancelled' },
    }),
  },

  // reviews: public to read; only the author changes one; the author or an admin deletes it
  'GET /api/reviews': { expect: everyone(200), request: () => ({ url: '/api/reviews' }) },
  'GET /api/reviews/summary': {
    expect: everyone(200),
    request: ({ world }) => ({ url: `/api/reviews/summary?product=${world.shop.productIds[0]}` }),
  },
  'GET /api/reviews/:id': {
    expect: everyone(200),
    request: ({ world }) => ({ url: `/api/reviews/${world.shop.reviewIds[0]}` }),
  },
  'POST /api/reviews': {
    expect: signedIn(201),
    request: ({ world, actor }) => ({
      url: '/api/reviews',
      body: {
        product_id: world.unreviewedProduct(actor === 'anonymous' ? 'customerA' : actor),
        rating: 5,
        comment: 'Great',
      },
    }),
  },
  'PATCH /api/reviews/:id': {
    expect: owned(200, 403, 403),
    request: async ({ world, actor, owner }) => ({
      url: `/api/reviews/${await world.reviewFor(owner, actor === owner)}`,
      body: { rating: 1 },
    }),
  },
  'DELETE /api/reviews/:id': {
    expect: owned(204, 403, 204),
    request: async ({ world, actor, owner }) => ({
      url: `/api/reviews/${await world.reviewFor(owner, actor === owner || actor === 'admin')}`,
    }),
  },
};
