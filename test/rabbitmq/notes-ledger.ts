import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../src/platform/db/database.js';
import type { TestApp } from '../helpers/test-app.js';

/** What the example modules hold: notes written (with their outbox events) and their echoes applied. */
export interface Ledger {
  notes: number;
  echoes: number;
  /** Notes without an echo. */
  lost: number;
  /** Echoes applied more than once. */
  duplicated: number;
  /** Echoes of no note, or with another text. */
  unexpected: number;
}

export async function ledger(database: Database): Promise<Ledger> {
  const [row] = await queryRows<Ledger>(
    database.db,
    sql`select
          (select count(*)::int from public.test_notes) as notes,
          (select count(*)::int from public.test_echoes) as echoes,
          (select count(*)::int from public.test_notes n
             where not exists (select 1 from public.test_echoes e where e.note_id = n.id)) as lost,
          (select count(*)::int from public.test_echoes where times > 1) as duplicated,
          (select count(*)::int from public.test_echoes e
             where not exists (select 1 from public.test_notes n where n.id = e.note_id and n.text = e.text))
            as unexpected`,
  );
  return row!;
}

/** Waits until every note has its echo (or the time is up), then says what it found. */
export async function settledLedger(database: Database, timeoutMs = 60_000): Promise<Ledger> {
  const deadline = Date.now() + timeoutMs;
  let current = await ledger(database);
  while (current.lost > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    current = await ledger(database);
  }
  // A moment more, so that a late duplicate would show.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return ledger(database);
}

/** Posts `count` notes over HTTP, `concurrency` at a time; calls `at(n)` once `n` have been answered. */
export async function postNotes(
  t: TestApp,
  count: number,
  options: { concurrency?: number; prefix?: string; at?: Record<number, () => void> } = {},
): Promise<number[]> {
  const { concurrency = 10, prefix = 'note', at = {} } = options;
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/notes',
        payload: { text: `${prefix} ${n}` },
      });
      statuses.push(response.statusCode);
      at[statuses.length]?.();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}
