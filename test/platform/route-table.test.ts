import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoesModule, notesModule } from '../fixtures/example-modules.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

describe('the route table', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ modules: [notesModule, echoesModule] });
  });
  afterAll(async () => t.close());

  it('when modules register routes, then each is recorded once with its module and schema', () => {
    const notes = t.app.platform.routes.filter((route) => route.module === 'notes');
    expect(notes.map((route) => `${route.method} ${route.url}`).sort()).toEqual(
      [
        'GET /api/notes/admin',
        'GET /api/notes/by-id/:id',
        'GET /api/notes/private',
        'POST /api/notes',
        'POST /api/notes/slow',
      ].sort(),
    );
    expect(notes.find((route) => route.url === '/api/notes')?.schema?.body).toBeDefined();
    const platformRoutes = t.app.platform.routes
      .filter((route) => route.module === null)
      .map((route) => route.url);
    expect(platformRoutes).toEqual(
      expect.arrayContaining(['/health/live', '/health/ready', '/metrics', '/docs/openapi.json']),
    );
  });
});
