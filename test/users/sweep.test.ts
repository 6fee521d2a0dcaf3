import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsersSweep } from '../../src/modules/users/users.sweep.js';
import { queryRows } from '../../src/platform/db/database.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildUsersApp, refresh, signUp } from './users-client.js';

describe('users: the sweep of what has ended', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildUsersApp();
  });
  afterAll(async () => t.close());

  const refreshTokensOf = async (userId: number) => {
    const [row] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from users.refresh_tokens where user_id = ${userId}`,
    );
    return row?.n ?? 0;
  };
  /** The mail tokens this file added (registration also sends a verification link, still live). */
  const mailTokensOf = async (userId: number) => {
    const rows = await queryRows<{ token_hash: string }>(
      t.database.db,
      sql`select token_hash from users.account_tokens where user_id = ${userId} and token_hash like 'sweep-%'
          order by token_hash`,
    );
    return rows.map((row) => row.token_hash);
  };
  const addMailToken = (userId: number, hash: string, expiresIn: string) =>
    t.database.db.execute(
      sql`insert into users.account_tokens (purpose, token_hash, user_id, email, expires_at)
          values ('password_reset', ${hash}, ${userId}, 'someone@example.com', now() + ${expiresIn}::interval)`,
    );

  it('when tokens have expired, then the sweep deletes them in batches and leaves the live ones working', async () => {
    const [gone, staying] = [await signUp(t), await signUp(t)];
    // The user who never comes back: an expired login and an expired mail link (plus a used one).
    await t.database.db.execute(
      sql`update users.refresh_tokens set expires_at = now() - interval '1 second' where user_id = ${gone.id}`,
    );
    await addMailToken(gone.id, `sweep-a-${gone.id}`, '-1 minute');
    await addMailToken(gone.id, `sweep-b-${gone.id}`, '-2 minutes');
    await addMailToken(staying.id, `sweep-c-${staying.id}`, '1 hour');

    const swept = await new UsersSweep(t.database, pino({ level: 'silent' })).sweep(1);

    expect(swept.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(swept.accountTokens).toBeGreaterThanOrEqual(2);
    expect(await refreshTokensOf(gone.id)).toBe(0);
    expect(await mailTokensOf(gone.id)).toEqual([]);
    expect(await refreshTokensOf(staying.id)).toBe(1);
    expect(await mailTokensOf(staying.id)).toEqual([`sweep-c-${staying.id}`]);
    // An expired token answered 401 before the sweep and answers the same once deleted.
    expect((await refresh(t, gone.refresh)).statusCode).toBe(401);
    expect((await refresh(t, staying.refresh)).statusCode).toBe(200);
  });

  it('when nothing has ended, then the sweep deletes nothing', async () => {
    const session = await signUp(t);
    const sweep = new UsersSweep(t.database, pino({ level: 'silent' }));
    await sweep.sweep();
    expect(await sweep.sweep()).toEqual({ loginWindows: 0, refreshTokens: 0, accountTokens: 0 });
    expect(await refreshTokensOf(session.id)).toBe(1);
  });
});
