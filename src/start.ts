import { listenText } from './platform/banner.js';
import { adminPasswordLater, ConfigError, loadConfig } from './platform/config.js';
import { DataDirInUseError } from './platform/db/data-dir-lock.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(undefined, { adminPassword: 'later' });
  } catch (error) {
    refuse(error);
  }
  // The app (every module, the database driver, Fastify) loads only once the rest of the
  // configuration holds: a start with a wrong setting says so in a fraction of a second instead of
  // after the imports. ADMIN_PASSWORD's strength is estimated meanwhile in the estimator's process
  // (~0.5 s, a quarter of the start-up when it blocked), and nothing is built before its verdict.
  const [adminProblem, { buildApp }] = await Promise.all([adminPasswordLater(config), import('./app.js')]);
  if (adminProblem) refuse(adminProblem);
  const app = await buildApp({ config });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining requests, outbox and consumers');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({
    port: config.PORT,
    host: config.HOST,
    listenTextResolver: (address) => listenText(config, address),
  });
}

/** A configuration error ends the start with its message alone; anything else goes on up. */
function refuse(error: unknown): never {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => {
  // An embedded database held by another process explains itself; anything else shows its stack.
  const text =
    error instanceof DataDirInUseError ? error.message : error instanceof Error ? error.stack : error;
  process.stderr.write(`failed to start: ${String(text)}\n`);
  process.exit(1);
});
