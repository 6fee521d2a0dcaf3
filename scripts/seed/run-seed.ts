import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { type Config, ConfigError } from '../../src/platform/config.js';
import { DataDirInUseError } from '../../src/platform/db/data-dir-lock.js';
import type { Database } from '../../src/platform/db/database.js';
import { savePrincipal } from '../../src/platform/http/auth.js';
import { loadCatalog } from './catalog.loader.js';
import { loadDemo } from './demo.loader.js';
import { SeedApi } from './seed.api.js';
import { parseSeedArgs, type SeedCommand, USAGE, UsageError } from './seed.args.js';
import type { SeedContext } from './seed.context.js';
import { deliverEvents } from './seed.delivery.js';
import { SeedProgress, type SeedStreams } from './seed.progress.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface SeedOptions {
  io: SeedStreams;
  /** The configuration to build the app with (`npm run seed`: the environment's). */
  config: () => Config;
  /** A database already open (tests); by default the app opens the configured one. */
  database?: Database;
}

/**
 * The seed's staff identity: a principal no user has (user ids are `serial`, far below it), made
 * active for the run and switched off at its end, so its token opens nothing afterwards.
 */
const SEED_OPERATOR = { id: 2_147_483_647, isStaff: true };

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** `npm run seed`: answers the exit code; never throws for a mistake it can explain. */
export async function runSeed(argv: readonly string[], options: SeedOptions): Promise<number> {
  const { io } = options;
  let command: SeedCommand;
  try {
    command = parseSeedArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`npm run seed: ${error.message}\nTry 'npm run seed -- --help' for the options.\n`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  let app: FastifyInstance;
  try {
    app = await buildApp({
      config: options.config(),
      ...(options.database ? { database: options.database } : {}),
    });
    await app.ready();
  } catch (error) {
    // A wrong variable, or the embedded database held by a running server (or another seed): say
    // so and touch nothing.
    if (!(error instanceof DataDirInUseError || error instanceof ConfigError)) throw error;
    io.stderr.write(`npm run seed: ${error.message}\n`);
    return EXIT.failed;
  }
  try {
    await seed(app, command, io);
    return EXIT.ok;
  } catch (error) {
    io.stderr.write(`npm run seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  } finally {
    await savePrincipal(app.platform.database.db, { ...SEED_OPERATOR, isActive: false }).catch(() => {});
    await app.close();
  }
}

async function seed(app: FastifyInstance, command: Extract<SeedCommand, { kind: 'run' }>, io: SeedStreams) {
  await savePrincipal(app.platform.database.db, { ...SEED_OPERATOR, isActive: true });
  const api = new SeedApi(app);
  const staffToken = app.signAccessToken(SEED_OPERATOR);
  const progress = new SeedProgress(io, command.progress);
  const context: SeedContext = {
    app,
    api,
    staffToken,
    progress,
    wait: command.wait,
    report: (line) => io.stdout.write(`${line}\n`),
    deliver: () => deliverEvents(app, progress),
  };
  const started = Date.now();
  await loadCatalog(context, command.products);
  if (command.demo) await loadDemo(context);
  context.report(`written in ${seconds(started)}`);
  if (!command.wait) {
    const { totals } = await api.get<{ totals: { pending: number } }>('/api/admin/events/status', staffToken);
    context.report(`${totals.pending} events left for the next start of the app to deliver`);
    await app.platform.events.relay.pause();
    return;
  }
  const delivering = Date.now();
  await context.deliver();
  context.report(`events delivered in ${seconds(delivering)}`);
}
