/**
 * `npm run seed [-- --products N] [-- --demo] [-- --no-wait]`: a pet catalog, and with --demo the
 * customers, carts, orders and reviews that show every module at work. `npm run seed -- --help`
 * says it all; the code is in scripts/seed/.
 */
import { loadConfig } from '../src/platform/config.js';
import { runSeed } from './seed/run-seed.js';

process.exitCode = await runSeed(process.argv.slice(2), {
  io: { stdout: process.stdout, stderr: process.stderr },
  // Batches travel faster with a bigger relay batch and more deliveries in flight (400: four
  // batches of 100 per queue, so a queue never waits for the broker; 50 took twice as long to
  // deliver 20,000 products); the environment wins. The seed is the app's only client here: no
  // rate limit.
  config: () =>
    loadConfig({
      OUTBOX_BATCH_SIZE: '1000',
      EVENT_PREFETCH: '400',
      DATABASE_POOL_SIZE: '20',
      LOG_LEVEL: 'error',
      ...process.env,
      RATE_LIMIT_MAX: '0',
      MODULES: 'all',
    }),
});
