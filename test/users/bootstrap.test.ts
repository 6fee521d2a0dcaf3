import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { usersModule } from '../../src/modules/users/index.js';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { sharedTestDatabase } from './shared-database.js';
import { login, PASSWORD, register } from './users-client.js';

const ADMIN_CONFIG = { ADMIN_EMAIL: 'Boss@Mascotas.TEST', ADMIN_PASSWORD: 'first admin password' };

async function adminRows(database: Database) {
  return queryRows<{ username: string; is_staff: boolean; version: number }>(
    database.db,
    sql`select username, is_staff, version from users.users where email = 'boss@mascotas.test'`,
  );
}

async function createdEvents(database: Database) {
  return queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from platform.outbox where routing_key = 'user.created'`,
  );
}

// Each case starts one or two apps in its body; PGlite start-up is slow on a busy machine.
describe('users: the bootstrap admin', { timeout: 180_000 }, () => {
  const open: TestApp[] = [];
  let shared: TestDatabase | undefined;
  const start = async (config: Record<string, string | undefined>) => {
    shared ??= await sharedTestDatabase();
    const app = await buildTestApp({ modules: [usersModule], testDatabase: shared, config });
    open.push(app);
    return app;
  };
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
    await shared?.drop();
    shared = undefined;
  });

  it('when the app starts with ADMIN_EMAIL and ADMIN_PASSWORD, then that staff user exists and can log in', async () => {
    const t = await start(ADMIN_CONFIG);
    expect(await adminRows(t.database)).toEqual([{ username: 'admin', is_staff: true, version: 1 }]);
    const answer = await login(t, { email: 'boss@mascotas.test', password: ADMIN_CONFIG.ADMIN_PASSWORD });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().user).toMatchObject({ username: 'admin', is_staff: true, is_active: true });
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { authorization: `Bearer ${answer.json().access}` },
    });
    expect(list.statusCode).toBe(200);
  });

  it('when the app starts again with another password and username, then the admin is neither duplicated nor overwritten', async () => {
    const first = await start({ ...ADMIN_CONFIG, ADMIN_USERNAME: 'chief' });
    await first.close();
    open.splice(0);
    const second = await start({
      ...ADMIN_CONFIG,
      ADMIN_USERNAME: 'other',
      ADMIN_PASSWORD: 'second admin password',
    });
    expect(await adminRows(second.database)).toEqual([{ username: 'chief', is_staff: true, version: 1 }]);
    expect((await createdEvents(second.database))[0]!.n).toBe(1);
    const old = await login(second, { username: 'chief', password: ADMIN_CONFIG.ADMIN_PASSWORD });
    expect(old.statusCode).toBe(200);
    const replaced = await login(
      second,
      { username: 'chief', password: 'second admin password' },
      '10.3.0.1',
    );
    expect(replaced.statusCode).toBe(401);
  });

  it('when two processes start at once, then exactly one admin is created and one user.created recorded', async () => {
    shared = await sharedTestDatabase();
    const database = await shared.open();
    await database.migrate(migrationFolders(['users']));
    await database.close();
    const [a, b] = await Promise.all([start(ADMIN_CONFIG), start(ADMIN_CONFIG)]);
    expect(await adminRows(a!.database)).toHaveLength(1);
    expect((await createdEvents(b!.database))[0]!.n).toBe(1);
  });

  it("when the admin username is already a customer's, then no admin is created and the customer is not promoted", async () => {
    const before = await start({});
    expect(
      (await register(before, { username: 'Admin', email: 'someone@example.com', password: PASSWORD }))
        .statusCode,
    ).toBe(201);
    await before.close();
    open.splice(0);
    const after = await start(ADMIN_CONFIG);
    expect(await adminRows(after.database)).toEqual([]);
    const customer = await login(after, { username: 'admin', password: PASSWORD });
    expect(customer.json().user).toMatchObject({ username: 'Admin', is_staff: false });
  });

  it('when no admin is configured, then the app starts with no user at all', async () => {
    const t = await start({});
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from users.users`,
    );
    expect(row!.n).toBe(0);
  });
});
