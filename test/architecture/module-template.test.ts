import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { templateBreaks } from './module-template.js';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const brokenRoot = fileURLToPath(new URL('../fixtures/broken-architecture/', import.meta.url));

describe('module template', () => {
  it('when the real modules are checked, then each has the template files in their roles', () => {
    expect(templateBreaks(projectRoot)).toEqual([]);
  });

  it('when a module strays from the template, then each way is reported', () => {
    const found = templateBreaks(brokenRoot).map((b) => `${b.module}/${b.file}: ${b.rule}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'alpha/alpha.mapping.ts: missing',
        'alpha/alpha.events.ts: missing',
        'alpha/index.ts: declares alphaModule with defineModule()',
        'alpha/alpha.service.ts: only a repository imports tables',
        'alpha/alpha.routes.ts: maps records to JSON: that is <m>.mapping.ts',
        'alpha/alpha.routes.ts: builds an event: that is <m>.events.ts',
        'alpha/alpha.routes.ts: guards a route another way than `onRequest: app.authenticate` / `app.requireAdmin`',
        "alpha/alpha.routes.ts: keeps its own problemResponses: use the platform's",
        'alpha/alpha.routes.ts: exports its routes as the plugin `async function alphaRoutes`',
      ]),
    );
  });
});
