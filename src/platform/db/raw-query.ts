import { is, Placeholder } from 'drizzle-orm';
import type { Executor } from './executor.js';

/** What the two drivers under drizzle answer a statement with. */
interface PostgresJsClient {
  unsafe(query: string, parameters: unknown[]): Promise<unknown[]>;
}
interface PgliteClient {
  query(query: string, parameters: unknown[]): Promise<{ rows: unknown[] }>;
}

type Runner = (text: string, parameters: unknown[]) => Promise<unknown[]>;

const runners = new WeakMap<object, Runner>();

/** The driver under a drizzle database (not a transaction): postgres.js or PGlite. */
function runnerOf(executor: Executor): Runner {
  const client = (executor as unknown as { $client?: unknown }).$client;
  if (typeof client !== 'object' && typeof client !== 'function') {
    throw new Error('rawQuery runs on a database, not inside a transaction');
  }
  const known = runners.get(client as object);
  if (known) return known;
  let runner: Runner;
  if (typeof (client as PostgresJsClient).unsafe === 'function') {
    // Read once: the platform's client is a Proxy (postgres-clients.ts), whose trap every
    // property read would run; postgres.js's `unsafe` is a closure that needs no `this`.
    const { unsafe } = client as PostgresJsClient;
    runner = (text, parameters) => unsafe(text, parameters);
  } else if (typeof (client as PgliteClient).query === 'function') {
    const pglite = client as PgliteClient;
    runner = async (text, parameters) => (await pglite.query(text, parameters)).rows;
  } else {
    throw new Error('rawQuery knows postgres.js and PGlite only');
  }
  runners.set(client as object, runner);
  return runner;
}

/**
 * A hot read whose rows go to the client as the driver hands them over: the SQL text (made once by
 * drizzle's builder, values as `sql.placeholder(name)`) is sent straight to postgres.js or PGlite,
 * and no row passes through drizzle's per-column mapping — a tenth of the catalog's CPU under load.
 * The statement must name each column as the caller wants it (`sql\`…\`.as('name')`): rows come
 * back as each driver parses them, so choose types both hand over alike (int8 as text, numerics as
 * float8) and map what still differs by hand (times: text from postgres.js under drizzle, a `Date`
 * from PGlite). postgres.js prepares it on each connection (`preparing` in postgres-clients.ts),
 * keyed by its text.
 */
export function rawQuery<Row>(query: {
  toSQL(): { sql: string; params: unknown[] };
}): (executor: Executor, values?: Record<string, unknown>) => Promise<Row[]> {
  const { sql: text, params } = query.toSQL();
  const fill = params.map((parameter) =>
    is(parameter, Placeholder) ? { placeholder: (parameter as Placeholder).name } : { value: parameter },
  );
  return async (executor, values = {}) => {
    const parameters = fill.map((slot) => {
      if ('value' in slot) return slot.value;
      if (!(slot.placeholder in values))
        throw new Error(`rawQuery: no value for placeholder ${slot.placeholder}`);
      return values[slot.placeholder];
    });
    return (await runnerOf(executor)(text, parameters)) as Row[];
  };
}
