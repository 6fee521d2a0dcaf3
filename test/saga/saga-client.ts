import { expect } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';

export type Headers = { authorization: string };

/** The shop as its clients see it: the HTTP API only, with the events settled after each write. */
export class ShopClient {
  constructor(
    private readonly t: TestApp,
    private readonly admin: Headers,
  ) {}

  async request(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: object, payload?: object) {
    const response = await this.t.app.inject({
      method,
      url,
      headers: { ...headers },
      ...(payload ? { payload } : {}),
    });
    await this.t.settle();
    return response;
  }

  async category(name: string): Promise<number> {
    const response = await this.request('POST', '/api/categories', this.admin, { name });
    expect(response.statusCode).toBe(201);
    return response.json().id;
  }

  async product(category: number, name: string, price: string, stock: number): Promise<number> {
    const response = await this.request('POST', '/api/products', this.admin, {
      name,
      description: `${name} for a happy dog`,
      price,
      category,
      animal_type: 'dog',
      stock,
    });
    expect(response.statusCode).toBe(201);
    return response.json().id;
  }

  async stockOf(productId: number): Promise<number> {
    const response = await this.request('GET', `/api/products/${productId}`, {});
    expect(response.statusCode).toBe(200);
    return response.json().stock;
  }

  async order(headers: Headers, orderId: string) {
    const response = await this.request('GET', `/api/orders/${orderId}`, headers);
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  async addToCart(headers: Headers, productId: number, quantity: number) {
    return this.request('POST', '/api/cart/items', headers, { product_id: productId, quantity });
  }

  async checkout(headers: Headers, key?: string) {
    return this.request('POST', '/api/cart/checkout', {
      ...headers,
      ...(key ? { 'idempotency-key': key } : {}),
    });
  }

  async placeOrder(headers: Headers, items: { product_id: number; quantity: number }[], key?: string) {
    return this.request(
      'POST',
      '/api/orders',
      { ...headers, ...(key ? { 'idempotency-key': key } : {}) },
      { items },
    );
  }
}
