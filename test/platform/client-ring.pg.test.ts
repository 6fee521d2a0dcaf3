import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { ClientRing } from '../../src/platform/db/postgres-clients.js';
import { createPostgresDatabase, type TestDatabase } from '../helpers/test-database.js';

describe('the client ring on PostgreSQL', () => {
  let testDatabase: TestDatabase;
  let ring: ClientRing;
  beforeAll(async () => {
    testDatabase = await createPostgresDatabase(false);
    ring = new ClientRing(testDatabase.url, 3, { prepare: true });
  });
  afterAll(async () => {
    await ring?.close();
    await testDatabase?.drop();
  });

  const backend = async () => {
    const [row] = await queryRows<{ pid: number }>(ring.next(), sql`select pg_backend_pid() as pid`);
    return row!.pid;
  };

  it('when one client runs a slow statement, then the next ones go to the idle clients, never behind it', async () => {
    // Every client connected, so that each answers with its own backend.
    const all = new Set(await Promise.all([backend(), backend(), backend()]));
    expect(all.size).toBe(3);
    const busy = ring.next();
    const slow = queryRows<{ pid: number }>(busy, sql`select pg_backend_pid() as pid, pg_sleep(0.5)`);
    // Handed out in turn, the fourth of these would reach the sleeping client and wait for it.
    const quick: number[] = [];
    for (let run = 0; run < 6; run++) quick.push(await backend());
    const [sleeping] = await slow;
    expect(quick).not.toContain(sleeping!.pid);
    expect(new Set(quick).size).toBe(2);
  });

  it('when a transaction is open on a client, then it counts as busy until it ends', async () => {
    let inside = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = ring.next().transaction(async (tx) => {
      const [row] = await queryRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`);
      inside = row!.pid;
      await held;
    });
    while (inside === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const quick: number[] = [];
    for (let run = 0; run < 6; run++) quick.push(await backend());
    release();
    await transaction;
    expect(quick).not.toContain(inside);
  });
});
