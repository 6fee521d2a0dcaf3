import type { FastifyInstance } from 'fastify';
import type { SeedApi } from './seed.api.js';
import type { SeedProgress } from './seed.progress.js';

/** What every loader of the seed works with. */
export interface SeedContext {
  app: FastifyInstance;
  /** The app's HTTP API, in-process. */
  api: SeedApi;
  /** A staff token for the admin routes, good for this run only. */
  staffToken: string;
  progress: SeedProgress;
  /** False with --no-wait: what need not be delivered now is left to the next start of the app. */
  wait: boolean;
  /** One line of the run's report (stdout). */
  report(line: string): void;
  /** Waits until every event written so far is delivered, with its progress. */
  deliver(): Promise<void>;
}
