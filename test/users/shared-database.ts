import type { Database } from '../../src/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

/**
 * One database for several apps in turn, as processes share one in production. PostgreSQL is
 * shared by URL; in-memory PGlite is shared by handing every app the same instance, which the apps
 * may not close (`drop()` does).
 */
export async function sharedTestDatabase(): Promise<TestDatabase> {
  const base = await createTestDatabase();
  if (base.url !== 'memory://') return base;
  const database = await base.open();
  const kept: Database = {
    kind: database.kind,
    get db() {
      return database.db;
    },
    transaction: (work) => database.transaction(work),
    events: database.events,
    onCommit: (listener) => database.onCommit(listener),
    availability: database.availability,
    openSession: () => database.openSession(),
    migrate: (folders) => database.migrate(folders),
    ping: () => database.ping(),
    close: async () => {},
  };
  return { url: base.url, config: base.config, open: async () => kept, drop: () => database.close() };
}
