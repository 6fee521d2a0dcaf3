import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

describe('a route, an outbox event and a subscriber, end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule] });
  });
  afterAll(async () => t.close());

  it('when a note is posted, then the other module hears of it exactly once', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/notes', payload: { text: 'hello' } });
    expect(created.statusCode).toBe(201);
    await t.settle();
    const echoes = await t.app.inject({ method: 'GET', url: '/api/echoes' });
    expect(echoes.json()).toEqual([{ note_id: created.json().id, text: 'hello', times: 1 }]);
  });

  it('when the write fails after the row, then neither the row nor its event exist', async () => {
    const before = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from platform.outbox`,
    );
    const failed = await t.app.inject({
      method: 'POST',
      url: '/api/notes',
      payload: { text: 'fail after write' },
    });
    expect(failed.statusCode).toBe(500);
    expect(failed.json()).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(failed.body).not.toContain('boom');
    const after = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from platform.outbox`,
    );
    expect(after[0]!.n).toBe(before[0]!.n);
    const notes = await queryRows<{ text: string }>(t.database.db, sql`select text from public.test_notes`);
    expect(notes.map((note) => note.text)).not.toContain('fail after write');
  });

  it('when the body has an unknown field, then it is a 400 naming the field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/notes',
      payload: { text: 'x', extra: 1 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'body.extra' }] });
  });
});
