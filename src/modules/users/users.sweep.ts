import type { FastifyBaseLogger } from 'fastify';
import type { Database } from '../../platform/db/database.js';
import { PeriodicTask } from '../../platform/periodic-task.js';
import { endedRows } from './ended-rows.repository.js';

export const SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const BATCH = 5000;

export interface Swept {
  loginWindows: number;
  refreshTokens: number;
  accountTokens: number;
}

/**
 * What the module keeps only while it can matter, deleted now and then by every replica: ended
 * login-attempt windows, expired refresh tokens and expired mail tokens (a used one expires like
 * the others). An expired token answers as an unknown one, so clients cannot tell; without the
 * sweep, the tokens of users who never come back stayed for good. Each kind goes in batches, so
 * no statement holds many rows at once.
 */
export class UsersSweep {
  private readonly task: PeriodicTask;

  constructor(
    private readonly database: Database,
    logger: FastifyBaseLogger,
    intervalMs = SWEEP_INTERVAL_MS,
  ) {
    this.task = new PeriodicTask(async () => {
      try {
        await this.sweep();
      } catch (error) {
        logger.warn({ err: error }, 'users sweep failed');
      }
    }, intervalMs);
  }

  start(): void {
    this.task.start();
  }

  /** Cancels the next sweep and waits for the one under way, which stops after its batch. */
  stop(): Promise<void> {
    return this.task.stop();
  }

  async sweep(batch = BATCH): Promise<Swept> {
    const { database, task } = this;
    return {
      loginWindows: await task.drain(() => endedRows.loginWindows(database.db, batch), batch),
      refreshTokens: await task.drain(() => endedRows.refreshTokens(database.db, batch), batch),
      accountTokens: await task.drain(() => endedRows.accountTokens(database.db, batch), batch),
    };
  }
}
