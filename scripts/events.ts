/** `npm run events -- <command>`: the event flow and its dead letters (see docs/operations.md). */
import { ALL_MODULES } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/platform/config.js';
import { EXIT, runEventsCli } from '../src/platform/operations/events.cli.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(EXIT.failed);
}
process.exitCode = await runEventsCli(process.argv.slice(2), {
  config,
  modules: ALL_MODULES,
  io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
});
