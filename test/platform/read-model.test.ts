import { asc, sql } from 'drizzle-orm';
import { bigint, boolean, integer, jsonb, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/platform/db/database.js';
import { saveManyIfNewer } from '../../src/platform/db/read-model.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const schema = pgSchema('read_model_test');
const copies = schema.table('copies', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  priceCents: bigint('price_cents', { mode: 'number' }).notNull(),
  note: text('note'),
  deleted: boolean('deleted').notNull().default(false),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull(),
  details: jsonb('details').$type<Record<string, unknown>>().notNull(),
  version: integer('version').notNull(),
});

type Copy = typeof copies.$inferInsert;

const at = new Date('2026-12-07T10:11:12.345Z');
const copy = (id: number, version: number, fields: Partial<Copy> = {}): Copy => ({
  id,
  name: `product ${id}`,
  priceCents: 1250,
  note: null,
  deleted: false,
  seenAt: at,
  details: { brand: 'Acme' },
  version,
  ...fields,
});

describe('read models: saveManyIfNewer', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  const held = () => database.db.select().from(copies).orderBy(asc(copies.id));

  beforeAll(async () => {
    testDatabase = await createTestDatabase();
    database = await testDatabase.open();
    await database.db.execute(sql`create schema read_model_test`);
    await database.db.execute(sql`create table read_model_test.copies (
      id integer primary key, name text not null, price_cents bigint not null, note text,
      deleted boolean not null default false, seen_at timestamptz not null, details jsonb not null,
      version integer not null)`);
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });

  it('when a batch holds awkward text, nulls, dates and JSON, then each row reads back exactly as given', async () => {
    const awkward = "quote \" comma , brace {x} back\\slash 'single' NULL ñ 🐶";
    await saveManyIfNewer(database.db, copies, copies.id, [
      copy(2, 1, { name: awkward, note: 'NULL', priceCents: 9_007_199_254_740_991 }),
      copy(1, 1, { note: null, details: { nested: { list: [1, 'two', null] }, quote: '"' } }),
      copy(3, 1, { name: '', deleted: true, seenAt: new Date('1999-12-31T23:59:59.999Z') }),
    ]);
    expect(await held()).toEqual([
      copy(1, 1, { details: { nested: { list: [1, 'two', null] }, quote: '"' } }),
      copy(2, 1, { name: awkward, note: 'NULL', priceCents: 9_007_199_254_740_991 }),
      copy(3, 1, { name: '', deleted: true, seenAt: new Date('1999-12-31T23:59:59.999Z') }),
    ]);
  });

  it('when a batch holds several revisions of one entity and older ones than held, then the newest wins', async () => {
    await saveManyIfNewer(database.db, copies, copies.id, [
      copy(1, 3, { name: 'third' }),
      copy(1, 5, { name: 'fifth' }),
      copy(1, 4, { name: 'fourth' }),
      copy(2, 1, { name: 'same version as held' }),
      copy(4, 2, { name: 'new' }),
    ]);
    const rows = await held();
    expect(rows.map((row) => [row.id, row.name, row.version])).toEqual([
      [1, 'fifth', 5],
      [2, expect.stringContaining('quote'), 1],
      [3, '', 1],
      [4, 'new', 2],
    ]);
  });

  it('when only some fields are named, then a newer revision overwrites those alone', async () => {
    await saveManyIfNewer(
      database.db,
      copies,
      copies.id,
      [copy(4, 3, { name: 'ignored', deleted: true }), copy(5, 1, { name: 'inserted whole' })],
      ['deleted', 'version'],
    );
    const rows = await held();
    expect(rows.find((row) => row.id === 4)).toMatchObject({ name: 'new', deleted: true, version: 3 });
    expect(rows.find((row) => row.id === 5)).toMatchObject({ name: 'inserted whole', version: 1 });
  });

  it('when revisions name different fields, then it refuses before writing', async () => {
    const { note: _note, ...withoutNote } = copy(6, 1);
    await expect(
      saveManyIfNewer(database.db, copies, copies.id, [copy(7, 1), withoutNote as Copy]),
    ).rejects.toThrow(/same fields/u);
    expect((await held()).map((row) => row.id)).toEqual([1, 2, 3, 4, 5]);
  });
});
