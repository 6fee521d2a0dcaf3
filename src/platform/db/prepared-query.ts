import type { Executor } from './database.js';

interface Preparable<T> {
  prepare(name: string): { execute(values?: Record<string, unknown>): Promise<T> };
}

/**
 * A hot query built once per executor instead of on every call: drizzle's query builder costs
 * more than the database answering an indexed lookup. Values travel as `sql.placeholder(name)`.
 * Each connection of the pool is its own executor (and so its own prepared statement); a
 * transaction's executor is short-lived and simply builds its own.
 */
export function preparedQuery<T>(
  name: string,
  build: (executor: Executor) => Preparable<T>,
): (executor: Executor, values?: Record<string, unknown>) => Promise<T> {
  const built = new WeakMap<Executor, ReturnType<Preparable<T>['prepare']>>();
  return (executor, values) => {
    let query = built.get(executor);
    if (!query) {
      query = build(executor).prepare(name);
      built.set(executor, query);
    }
    return query.execute(values);
  };
}
