import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MigrationFolder } from './database.js';

/** `drizzle/` at the project root, reached the same way from `src/` and from the built `dist/`. */
export const MIGRATIONS_ROOT = fileURLToPath(new URL('../../../drizzle/', import.meta.url));

/** The platform's folder first, then one per module that has tables, in the order given. */
export function migrationFolders(moduleNames: readonly string[]): MigrationFolder[] {
  return ['platform', ...moduleNames]
    .map((name) => ({ name, path: `${MIGRATIONS_ROOT}${name}` }))
    .filter((folder) => existsSync(`${folder.path}/meta/_journal.json`));
}
