import { listenText } from './platform/banner.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { DataDirInUseError } from './platform/db/data-dir-lock.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  // The app (every module, the database driver, Fastify) loads only once the configuration holds:
  // a start with a wrong setting says so in a fraction of a second instead of after the imports.
  const { buildApp } = await import('./app.js');
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

main().catch((error: unknown) => {
  // An embedded database held by another process explains itself; anything else shows its stack.
  const text =
    error instanceof DataDirInUseError ? error.message : error instanceof Error ? error.stack : error;
  process.stderr.write(`failed to start: ${String(text)}\n`);
  process.exit(1);
});
