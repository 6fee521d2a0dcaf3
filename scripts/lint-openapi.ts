/**
 * Lints the OpenAPI document the app serves at /docs/openapi.json with the rules of
 * scripts/openapi-lint.rules.ts; prints each finding and exits 1 if there is any.
 * Builds the app in-process on an in-memory database: no server, no services.
 * `--print` writes the document itself to stdout instead (e.g. to import it into Postman).
 */
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { describeProblem, lintOpenApi } from './openapi-lint.rules.js';

const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'memory://', LOG_LEVEL: 'warn' });
const app = await buildApp({ config });
try {
  await app.ready();
  if (process.argv.includes('--print')) {
    process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`);
    process.exit(0);
  }
  const problems = await lintOpenApi(app.swagger());
  for (const problem of problems) console.log(describeProblem(problem));
  const operations = Object.values(app.swagger().paths ?? {}).flatMap((path) => Object.keys(path ?? {}));
  console.log(`OpenAPI: ${operations.length} operations, ${problems.length} findings`);
  process.exitCode = problems.length > 0 ? 1 : 0;
} finally {
  await app.close();
}
