import { afterEach, describe, expect, it } from 'vitest';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

describe('MODULES picks what a process hosts', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('when only notes is hosted, then echoes has no routes and notes still publishes', async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule], config: { MODULES: 'notes' } });
    expect((await t.app.inject({ method: 'GET', url: '/api/echoes' })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/notes', payload: { text: 'alone' } })).statusCode,
    ).toBe(201);
    await t.settle();
    expect(t.app.platform.modules.map((module) => module.name)).toEqual(['notes']);
  });

  it('when MODULES names an unknown module, then the app refuses to start naming it', async () => {
    await expect(
      buildTestApp({ modules: [notesModule], config: { MODULES: 'notes,ghosts' } }),
    ).rejects.toThrow(/MODULES: unknown module ghosts/);
  });
});
