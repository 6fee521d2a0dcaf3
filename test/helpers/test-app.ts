import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { ALL_MODULES, buildApp } from '../../src/app.js';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import type { EventBus } from '../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../src/platform/events/memory-bus.js';
import { savePrincipal } from '../../src/platform/http/auth.js';
import type { ModuleDefinition } from '../../src/platform/module.js';
import { testConfig } from './test-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  testDatabase: TestDatabase;
  /** Publishes every committed outbox row and waits until each delivery (and what it caused) is done. */
  settle(): Promise<void>;
  /** A bearer header for a user that exists as far as the platform's auth is concerned. */
  bearer(user: { id: number; isStaff?: boolean; isActive?: boolean }): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  modules?: readonly ModuleDefinition[];
  config?: Record<string, string | number | undefined>;
  /** Share one database between apps (split-process tests); by default each app gets a fresh one. */
  testDatabase?: TestDatabase;
  bus?: EventBus;
}

async function unpublished(database: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from platform.outbox where published_at is null`,
  );
  return row?.n ?? 0;
}

/** The whole app in-process, on the project's test database and (by default) the in-memory bus. */
export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const testDatabase = options.testDatabase ?? (await createTestDatabase());
  const database = await testDatabase.open();
  const config = testConfig({ ...testDatabase.config, ...options.config });
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config,
      database,
      modules: options.modules ?? ALL_MODULES,
      ...(options.bus ? { bus: options.bus } : {}),
    });
    await app.ready();
  } catch (error) {
    await database.close();
    if (!options.testDatabase) await testDatabase.drop();
    throw error;
  }
  const { events } = app.platform;
  const settle = async () => {
    for (let round = 0; round < 200; round++) {
      await events.relay.flush();
      if (events.bus instanceof MemoryEventBus) await events.bus.idle();
      else await new Promise((resolve) => setTimeout(resolve, 50));
      if ((await unpublished(database)) === 0) {
        if (!(events.bus instanceof MemoryEventBus)) await new Promise((resolve) => setTimeout(resolve, 100));
        await events.flushConsumedCounts();
        return;
      }
    }
    throw new Error('events did not settle');
  };
  return {
    app,
    database,
    testDatabase,
    settle,
    async bearer(user) {
      const principal = { id: user.id, isStaff: user.isStaff ?? false, isActive: user.isActive ?? true };
      await savePrincipal(database.db, principal);
      return { authorization: `Bearer ${app.signAccessToken(principal)}` };
    },
    async close() {
      await app.close();
      await database.close();
      if (!options.testDatabase) await testDatabase.drop();
    },
  };
}
