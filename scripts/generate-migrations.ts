/**
 * Generates each owner's SQL migrations with drizzle-kit: `drizzle/platform` from the platform's
 * tables and `drizzle/<module>` from each module's `*.tables.ts`, so that modules never share a
 * migration history. Usage: npm run db:generate [-- <owner> ...]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const modules = readdirSync('src/modules', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .filter((entry) => readdirSync(`src/modules/${entry.name}`).some((file) => file.endsWith('.tables.ts')))
  .map((entry) => entry.name);
const requested = process.argv.slice(2);
const owners = requested.length > 0 ? requested : ['platform', ...modules];

for (const owner of owners) {
  const schema =
    owner === 'platform' ? './src/platform/**/*.tables.ts' : `./src/modules/${owner}/*.tables.ts`;
  if (owner !== 'platform' && !existsSync(`src/modules/${owner}`)) throw new Error(`no module ${owner}`);
  console.log(`drizzle/${owner}:`);
  execFileSync(
    'npx',
    ['drizzle-kit', 'generate', '--dialect=postgresql', `--schema=${schema}`, `--out=./drizzle/${owner}`],
    { stdio: 'inherit' },
  );
}
