import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptLimiter } from '../../src/modules/users/users.limiter.js';
import { UsersSweep } from '../../src/modules/users/users.sweep.js';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { migrationFolders } from '../../src/platform/db/migrations.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('users: the attempt limiter (counts in the database)', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let limiter: AttemptLimiter;
  let sequence = 0;
  /** A key no other test of this file uses. */
  const fresh = (name: string) => `${name}-${++sequence}`;

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = await testDatabase.open();
    await database.migrate(migrationFolders(['users']));
    limiter = new AttemptLimiter({ database, windowSeconds: 60 });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  /** Moves every window into the past, as if the window had ended. */
  const endWindows = () =>
    database.db.execute(sql`update users.login_attempts set resets_at = now() - interval '1 second'`);

  it('when a key used up its budget, then it waits until its window ends and then starts afresh', async () => {
    const key = fresh('a');
    for (let attempt = 0; attempt < 3; attempt++) expect(await limiter.acquire([{ key, max: 3 }])).toBe(0);
    const wait = await limiter.acquire([{ key, max: 3 }]);
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    await endWindows();
    expect(await limiter.acquire([{ key, max: 3 }])).toBe(0);
    expect(await limiter.acquire([{ key, max: 3 }])).toBe(0);
  });

  it('when one of several keys is over its budget, then the attempt counts on none of them', async () => {
    const [user, address] = [fresh('user'), fresh('ip')];
    await limiter.acquire([{ key: user, max: 1 }]);
    expect(
      await limiter.acquire([
        { key: user, max: 1 },
        { key: address, max: 2 },
      ]),
    ).toBeGreaterThan(0);
    expect(await limiter.acquire([{ key: address, max: 2 }])).toBe(0);
    expect(await limiter.acquire([{ key: address, max: 2 }])).toBe(0);
    expect(await limiter.acquire([{ key: address, max: 2 }])).toBeGreaterThan(0);
  });

  it('when an attempt is released or a key reset, then it no longer counts', async () => {
    const [a, b] = [fresh('a'), fresh('b')];
    const both = [
      { key: a, max: 2 },
      { key: b, max: 2 },
    ];
    await limiter.acquire(both);
    await limiter.acquire(both);
    await limiter.release(b);
    await limiter.reset(a);
    expect(await limiter.acquire(both)).toBe(0);
    expect(await limiter.acquire([{ key: b, max: 2 }])).toBeGreaterThan(0);
  });

  it('when many attempts race on one key, then exactly its budget is let through', async () => {
    const key = fresh('race');
    const waits = await Promise.all(Array.from({ length: 20 }, () => limiter.acquire([{ key, max: 5 }])));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
  });

  it('when windows have ended, then the sweep deletes them and only them', async () => {
    const [old, live] = [fresh('old'), fresh('live')];
    await limiter.acquire([{ key: old, max: 5 }]);
    await endWindows();
    await limiter.acquire([{ key: live, max: 5 }]);
    const swept = await new UsersSweep(database, pino({ level: 'silent' })).sweep(1);
    expect(swept.loginWindows).toBeGreaterThanOrEqual(1);
    const [row] = await queryRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from users.login_attempts`,
    );
    expect(row?.n).toBe(1);
  });

  it('when a key names an address or an account, then the table keeps only its hash', async () => {
    await limiter.acquire([{ key: 'login:account:42|203.0.113.77', max: 5 }]);
    const rows = await queryRows<{ key: string }>(database.db, sql`select key from users.login_attempts`);
    expect(rows.map((row) => row.key).join(' ')).not.toMatch(/203\.0\.113|account/u);
  });
});
