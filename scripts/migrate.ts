/** Applies every owner's migrations to the configured database (PGlite by default). */
import { ALL_MODULES } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { databaseOptions, openDatabase } from '../src/platform/db/database.js';
import { migrationFolders } from '../src/platform/db/migrations.js';

const config = loadConfig();
const database = await openDatabase(databaseOptions(config, 1));
try {
  const folders = migrationFolders(ALL_MODULES.map((module) => module.name));
  await database.migrate(folders);
  console.log(`migrations applied: ${folders.map((folder) => folder.name).join(', ')}`);
} finally {
  await database.close();
}
