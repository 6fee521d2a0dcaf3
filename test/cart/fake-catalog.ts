import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/platform/db/database.js';
import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Stand-ins for the catalog while cart and orders are tested alone: they own `product_events` and
 * `category_events` so that the outbox relay publishes what the tests write there.
 */
export const fakeProductsModule: ModuleDefinition = {
  name: 'fake_products',
  publishes: { exchange: 'product_events', events: [] },
  consumes: [],
  async register() {},
};

export const fakeCategoriesModule: ModuleDefinition = {
  name: 'fake_categories',
  publishes: { exchange: 'category_events', events: [] },
  consumes: [],
  async register() {},
};

export interface ProductFields {
  name?: string;
  price?: string;
  stock?: number;
  category_id?: number | null;
}

/** Writes catalog events as the real modules would, then waits for every consumer. */
export class FakeCatalog {
  constructor(private readonly t: TestApp) {}

  async emit(exchange: string, routingKey: string, version: number, payload: object): Promise<void> {
    await recordEvents(this.t.database.db, [{ exchange, routingKey, version, payload }]);
    await this.t.settle();
  }

  product(
    id: number,
    version: number,
    fields: ProductFields = {},
    routingKey: 'product.created' | 'product.updated' = version === 1 ? 'product.created' : 'product.updated',
  ): Promise<void> {
    return this.emit('product_events', routingKey, version, {
      product_id: id,
      name: fields.name ?? `Product ${id}`,
      description: 'A fine thing for a pet',
      price: fields.price ?? '10.00',
      category_id: fields.category_id === undefined ? 1 : fields.category_id,
      animal_type: 'dog',
      stock: fields.stock ?? 100,
    });
  }

  deleteProduct(id: number, version: number): Promise<void> {
    return this.emit('product_events', 'product.deleted', version, { product_id: id });
  }

  category(id: number, version: number, name: string): Promise<void> {
    const routingKey = version === 1 ? 'category.created' : 'category.updated';
    return this.emit('category_events', routingKey, version, {
      category_id: id,
      name,
      slug: name.toLowerCase(),
      description: '',
      parent_id: null,
    });
  }

  deleteCategory(id: number, version: number): Promise<void> {
    return this.emit('category_events', 'category.deleted', version, { category_id: id });
  }

  stock(
    routingKey: 'stock.reserved' | 'stock.rejected' | 'stock.released',
    orderId: string,
    items: { product_id: number; quantity: number }[],
    reason?: string,
  ): Promise<void> {
    const version = routingKey === 'stock.released' ? 2 : 1;
    return this.emit('product_events', routingKey, version, {
      order_id: orderId,
      items,
      ...(reason ? { reason } : {}),
    });
  }

  /** Delivers one exact message again, as a broker redelivery would (same `event_id`). */
  async redeliver(exchange: string, routingKey: string, message: EventEnvelope): Promise<void> {
    await this.t.app.platform.events.bus.publish(exchange, routingKey, message);
    await this.t.settle();
  }

  /** The events written on an exchange so far, oldest first. */
  async events(exchange: string): Promise<{ routing_key: string; message: EventEnvelope }[]> {
    return queryRows(
      this.t.database.db,
      sql`select routing_key, message from platform.outbox where exchange = ${exchange} order by id`,
    );
  }
}
