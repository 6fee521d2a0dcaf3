import { and, eq, gt, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/database.js';
import { loginAttempts } from './users.tables.js';

export interface CountedAttempt {
  key: string;
  attempts: number;
  /** Seconds until the key's window ends (by the database's clock). */
  secondsLeft: number;
}

/**
 * Counts one attempt on each key (a fresh window when there is none or it has ended), in key
 * order so that two transactions never wait on each other's rows crosswise. Each row stays locked
 * until the transaction ends, so concurrent attempts on a key are counted one after the other.
 */
export async function countAttempts(
  tx: Executor,
  keys: readonly string[],
  windowSeconds: number,
): Promise<CountedAttempt[]> {
  const resetsAt = sql`now() + make_interval(secs => ${windowSeconds})`;
  const ended = sql`${loginAttempts.resetsAt} <= now()`;
  return tx
    .insert(loginAttempts)
    .values([...keys].sort().map((key) => ({ key, attempts: 1, resetsAt })))
    .onConflictDoUpdate({
      target: loginAttempts.key,
      set: {
        attempts: sql`case when ${ended} then 1 else ${loginAttempts.attempts} + 1 end`,
        resetsAt: sql`case when ${ended} then excluded.resets_at else ${loginAttempts.resetsAt} end`,
      },
    })
    .returning({
      key: loginAttempts.key,
      attempts: loginAttempts.attempts,
      secondsLeft: sql<number>`extract(epoch from ${loginAttempts.resetsAt} - now())::float8`,
    });
}

/** Gives one attempt back, within the window it was counted in. */
export async function uncountAttempt(executor: Executor, key: string): Promise<void> {
  await executor
    .update(loginAttempts)
    .set({ attempts: sql`greatest(${loginAttempts.attempts} - 1, 0)` })
    .where(and(eq(loginAttempts.key, key), gt(loginAttempts.resetsAt, sql`now()`)));
}

export async function forgetAttempts(executor: Executor, key: string): Promise<void> {
  await executor.delete(loginAttempts).where(eq(loginAttempts.key, key));
}
