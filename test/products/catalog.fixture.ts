import { sql } from 'drizzle-orm';
import { categoriesModule } from '../../src/modules/categories/index.js';
import { productsModule } from '../../src/modules/products/index.js';
import { queryRows } from '../../src/platform/db/database.js';
import { createEnvelope, type EventEnvelope } from '../../src/platform/events/envelope.js';
import { buildTestApp, type TestApp, type TestAppOptions } from '../helpers/test-app.js';

/** The two catalog modules alone: their tests do not depend on the state of the other modules. */
export const CATALOG_MODULES = [categoriesModule, productsModule];

export interface CatalogTest {
  t: TestApp;
  admin: { authorization: string };
  customer: { authorization: string };
}

export async function buildCatalogApp(options: TestAppOptions = {}): Promise<CatalogTest> {
  const t = await buildTestApp({ modules: CATALOG_MODULES, ...options });
  return {
    t,
    admin: await t.bearer({ id: 1, isStaff: true }),
    customer: await t.bearer({ id: 2 }),
  };
}

export interface CategoryFields {
  name: string;
  description?: string;
  parent_id?: number | null;
}

/** Creates a category and waits until the products module knows it. */
export async function createCategory(catalog: CatalogTest, body: CategoryFields): Promise<{ id: number }> {
  const response = await catalog.t.app.inject({
    method: 'POST',
    url: '/api/categories',
    headers: catalog.admin,
    payload: body,
  });
  if (response.statusCode !== 201) throw new Error(`category not created: ${response.body}`);
  await catalog.t.settle();
  return response.json();
}

export interface ProductFields {
  name: string;
  description?: string;
  price?: string | number;
  category: number;
  animal_type?: string;
  stock?: number;
  specifications?: Record<string, unknown>;
}

export async function createProduct(
  catalog: CatalogTest,
  fields: ProductFields,
): Promise<{ id: number; price: string; stock: number }> {
  const response = await catalog.t.app.inject({
    method: 'POST',
    url: '/api/products',
    headers: catalog.admin,
    payload: { description: '', price: '10.00', animal_type: 'dog', ...fields },
  });
  if (response.statusCode !== 201) throw new Error(`product not created: ${response.body}`);
  return response.json();
}

/** Delivers an event straight through the bus, as another module's outbox relay would. */
export async function deliver(
  t: TestApp,
  exchange: string,
  routingKey: string,
  version: number,
  payload: object,
): Promise<EventEnvelope> {
  const message = createEnvelope(routingKey, version, payload);
  await t.app.platform.events.bus.publish(exchange, routingKey, message);
  return message;
}

export interface RecordedEvent {
  routing_key: string;
  message: EventEnvelope;
}

/** The events written to the outbox on an exchange, oldest first. */
export async function recordedEvents(t: TestApp, exchange: string, routingKey?: string) {
  const rows = await queryRows<RecordedEvent>(
    t.database.db,
    sql`select routing_key, message from platform.outbox where exchange = ${exchange} order by id`,
  );
  return rows.filter((row) => routingKey === undefined || row.routing_key === routingKey);
}
