import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { runSeed } from '../../scripts/seed/run-seed.js';
import { buildApp } from '../../src/app.js';
import type { Database } from '../../src/platform/db/database.js';
import { savePrincipal } from '../../src/platform/http/auth.js';
import { testConfig } from '../helpers/test-config.js';
import type { TestDatabase } from '../helpers/test-database.js';

export interface SeedRun {
  code: number;
  stdout: string;
  stderr: string;
}

function collector(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** `npm run seed -- <argv>` in this process, on the test's database (kept open between runs). */
export async function seed(argv: string[], testDatabase: TestDatabase, database: Database): Promise<SeedRun> {
  const stdout = collector();
  const stderr = collector();
  const code = await runSeed(argv, {
    io: { stdout: stdout.stream, stderr: stderr.stream },
    config: () => testConfig({ ...testDatabase.config, MODULES: 'all' }),
    database,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The app on the same database, for looking at what the seed left (or making things by hand). */
export async function inspector(
  testDatabase: TestDatabase,
  database: Database,
): Promise<{ app: FastifyInstance; staff: { authorization: string } }> {
  const app = await buildApp({ config: testConfig({ ...testDatabase.config, MODULES: 'all' }), database });
  await app.ready();
  const principal = { id: 1_000_000, isStaff: true, isActive: true };
  await savePrincipal(database.db, principal);
  return { app, staff: { authorization: `Bearer ${app.signAccessToken(principal)}` } };
}

interface Node {
  name: string;
  children: Node[];
}

export async function counts(app: FastifyInstance, staff: { authorization: string }) {
  const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: staff })).json();
  const flatten = (nodes: Node[]): Node[] => nodes.flatMap((node) => [node, ...flatten(node.children)]);
  return {
    categories: flatten(await get('/api/categories/tree')).map((node) => node.name),
    products: (await get('/api/products?limit=1')).count as number,
    users: (await get('/api/users?limit=1')).count as number,
    orders: (await get('/api/orders?limit=1')).count as number,
    reviews: (await get('/api/reviews?limit=1')).count as number,
  };
}
