import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import { classifyFailure } from '../../src/platform/db/failures.js';
import type { DatabaseSession } from '../../src/platform/db/session.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';
import { eventually } from './bus-contract.js';

/**
 * What the relay's leadership counts on from a session on real PostgreSQL: its locks are its own,
 * its notifications reach other sessions, and once its connection is gone it says so and refuses
 * statements rather than reconnecting without its locks.
 */
describe('a database session on PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  const sessions: DatabaseSession[] = [];
  const open = async () => {
    const session = await database.openSession();
    sessions.push(session);
    return session;
  };
  beforeAll(async () => {
    testDatabase = await createPostgresDatabase();
    database = await testDatabase.open(1);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((session) => session.close().catch(() => {})));
    await database?.close();
    await testDatabase?.drop();
  });

  it('when two sessions bid for the same names, then each name has one holder until it unlocks, and a notification reaches the other session', async () => {
    const [first, second] = [await open(), await open()];
    const names = [`a-${randomUUID()}`, `b-${randomUUID()}`];
    expect(await first.tryLock(names.slice(0, 1))).toEqual(names.slice(0, 1));
    expect(await second.tryLock(names)).toEqual(names.slice(1));
    expect(await first.tryLock(names)).toEqual(names.slice(0, 1));
    const heard: string[] = [];
    const channel = `c${randomUUID().slice(0, 8)}`;
    await second.listen(channel, (payload) => heard.push(payload));
    await first.unlockAll();
    await first.notify(channel, 'released');
    await eventually(() => heard.length === 1, 5_000);
    expect(heard).toEqual(['released']);
    expect(await second.tryLock(names)).toEqual(names);
  });

  it('when a statement runs on a session, then it is planned for the table as it is now, never from a cached plan', async () => {
    const session = await open();
    const [mode] = await queryRows<{ plan_cache_mode: string }>(session.db, sql`show plan_cache_mode`);
    expect(mode?.plan_cache_mode).toBe('force_custom_plan');
    // A statement run again and again (as the relay's mark) is planned at every run, so that its
    // plan follows the table's growth: PostgreSQL switches to a generic plan after five runs.
    const table = `grown_${randomUUID().slice(0, 8)}`;
    await session.db.execute(sql.raw(`create table ${table} (id bigint primary key, note text)`));
    for (let run = 0; run < 8; run++)
      await session.db.execute(
        sql`update ${sql.identifier(table)} set note = 'x' where id = any(${sql.param([1, 2, run])}::bigint[])`,
      );
    const [plans] = await queryRows<{ generic_plans: number; custom_plans: number }>(
      session.db,
      sql`select generic_plans::int, custom_plans::int from pg_prepared_statements
          where statement like ${`%${table}%`} and statement like 'update%'`,
    );
    expect(plans).toEqual({ generic_plans: 0, custom_plans: 8 });
  });

  it('when a statement without parameters runs again and again, then it is prepared once, and several statements in one text still run', async () => {
    // postgres.js would send it in the simple protocol: parsed and planned at every call.
    const marker = `unparameterised_${randomUUID().slice(0, 8)}`;
    for (let run = 0; run < 7; run++)
      await queryRows(
        database.db,
        sql.raw(`select count(*)::int as ${marker} from pg_class where relkind = 'r'`),
      );
    const [prepared] = await queryRows<{ runs: number }>(
      database.db,
      sql`select (generic_plans + custom_plans)::int as runs from pg_prepared_statements
          where statement like ${`%${marker}%`} and statement not like '%pg_prepared_statements%'`,
    );
    expect(prepared).toEqual({ runs: 7 });
    await expect(database.db.execute(sql.raw('select 1; select 2'))).resolves.toBeDefined();
  });

  it('when the server ends a session, then it says it is closed, refuses statements and its locks are free', async () => {
    const held = await open();
    const name = `held-${randomUUID()}`;
    expect(await held.tryLock([name])).toEqual([name]);
    await database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = 'mascotas-session' and datname = current_database()
            and pid in (select pid from pg_locks where locktype = 'advisory' and granted)`,
    );
    await eventually(() => !held.open, 5_000);
    expect(() => held.db).toThrow('closed');
    const refused = await held.tryLock([name]).catch((error: unknown) => error);
    expect(classifyFailure(refused)).toBe('unavailable');
    const other = await open();
    expect(await other.tryLock([name])).toEqual([name]);
  });
});
