import { createHash } from 'node:crypto';
import type { Database } from '../../platform/db/database.js';
import { countAttempts, forgetAttempts, uncountAttempt } from './login-attempts.repository.js';

/** A key and how many attempts it may count in one window. */
export interface Budget {
  key: string;
  max: number;
}

export interface LimiterOptions {
  database: Database;
  windowSeconds: number;
}

class OverBudget extends Error {
  constructor(readonly waitSeconds: number) {
    super('over budget');
  }
}

/** What is stored for a key: its SHA-256, so no address, id or typed name is kept as such. */
function stored(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * Counts attempts per key in fixed windows, in the module's PostgreSQL table, so that every
 * replica counts against the same budgets. An attempt is counted when it starts and given back
 * when it turns out not to be a failure, so attempts racing in parallel cannot slip past a budget
 * before the first of them has failed; an attempt refused by one budget counts on none.
 */
export class AttemptLimiter {
  constructor(private readonly options: LimiterOptions) {}

  /** Counts an attempt on every key and answers 0, or counts nothing and answers the seconds to wait. */
  async acquire(budgets: readonly Budget[]): Promise<number> {
    const maxOf = new Map<string, number>();
    for (const { key, max } of budgets) {
      const id = stored(key);
      maxOf.set(id, Math.min(max, maxOf.get(id) ?? max));
    }
    try {
      await this.options.database.transaction(async (tx) => {
        const counted = await countAttempts(tx, [...maxOf.keys()], this.options.windowSeconds);
        const over = counted.filter((row) => row.attempts > (maxOf.get(row.key) ?? 0));
        // Throwing rolls the transaction back: nothing is counted on any key.
        if (over.length > 0) {
          throw new OverBudget(Math.max(1, ...over.map((row) => Math.ceil(row.secondsLeft))));
        }
      });
      return 0;
    } catch (error) {
      if (error instanceof OverBudget) return error.waitSeconds;
      throw error;
    }
  }

  /** Gives back an attempt that turned out not to be a failure. */
  release(key: string): Promise<void> {
    return uncountAttempt(this.options.database.db, stored(key));
  }

  /** Forgets every attempt of the key. */
  reset(key: string): Promise<void> {
    return forgetAttempts(this.options.database.db, stored(key));
  }
}
