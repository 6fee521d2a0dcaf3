import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeProblem, lintOpenApi } from '../../scripts/openapi-lint.rules.js';
import { ALL_MODULES } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { openApiPath } from './api-guide-routes.js';

interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
}
interface OpenApi {
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: OpenApi;
  beforeAll(async () => {
    t = await buildTestApp();
    document = (await t.app.inject({ url: '/docs/openapi.json' })).json();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when it is linted with the project rules, then nothing is reported', async () => {
    const problems = (await lintOpenApi(document)).map(describeProblem);
    expect(problems).toEqual([]);
  });

  it('when an operation loses its summary, tags and examples, then the linter names each loss', async () => {
    const broken = structuredClone(document) as unknown as {
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    const create = broken.paths['/api/products']!.post!;
    delete create.summary;
    delete create.description;
    create.tags = ['nowhere'];
    const body = create.requestBody as { content: Record<string, { example?: unknown }> };
    body.content['application/json']!.example = { name: 42 };
    const rules = new Set((await lintOpenApi(broken)).map((problem) => problem.ruleId));
    for (const rule of ['operation-summary', 'operation-description', 'operation-tag-defined'])
      expect(rules).toContain(rule);
    expect(rules).toContain('no-invalid-media-type-examples');
    delete body.content['application/json']!.example;
    const afterRemoval = (await lintOpenApi(broken)).map((problem) => problem.ruleId);
    expect(afterRemoval).toContain('rule/request-body-example');
  });

  it('when it is read, then every module is a tag with its description', () => {
    for (const module of ALL_MODULES) {
      const tag = document.tags.find(({ name }) => name === module.name);
      expect(tag?.description, module.name).toBe(module.description);
      expect(module.description, module.name).toBeTruthy();
    }
  });

  it('when it is read, then the main schemas are named components', () => {
    const named = Object.keys(document.components.schemas);
    for (const name of ['Problem', 'User', 'Category', 'Product', 'ProductPage', 'Cart', 'Order', 'Review'])
      expect(named).toContain(name);
  });

  it('when a route needs a token, then exactly its operation carries the bearer scheme', () => {
    const documented = t.app.platform.routes.filter((route) => !route.hidden && route.method !== 'HEAD');
    expect(documented.length).toBeGreaterThan(40);
    for (const route of documented) {
      const operation = document.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      if (!operation) continue;
      const where = `${route.method} ${route.url} (${route.access})`;
      expect(operation.security, where).toEqual(route.access === 'public' ? [] : [{ bearer: [] }]);
    }
  });
});
