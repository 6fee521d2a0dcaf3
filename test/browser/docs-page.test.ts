import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env.CI === 'true' || process.env.CI === '1';
const available = existsSync(CHROMIUM);
if (!available && !required)
  console.warn(`${CHROMIUM} is missing: the /docs browser test is skipped (CI installs it)`);

describe.skipIf(!available && !required)('the /docs page in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('when /docs is opened, then every operation of the OpenAPI document is listed', async () => {
    const document = (await (await fetch(`${base}/docs/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const expected = Object.keys(document.paths);
    expect(expected.length).toBeGreaterThan(1);
    const page = await browser.newPage();
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    const listed = await page.$$eval('.opblock-summary-path', (nodes) =>
      nodes.map((node) => node.getAttribute('data-path') ?? node.textContent ?? ''),
    );
    const shown = new Set(listed.map((path) => path.replaceAll('\u200b', '').trim()));
    for (const path of expected) expect(shown, path).toContain(path);
    await page.close();
  });

  it("when /docs is opened, then every module's section renders with its description", async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/docs`);
    await page.waitForSelector('.opblock-tag', { timeout: 20_000 });
    const sections = await page.$$eval('.opblock-tag', (nodes) =>
      nodes.map((node) => ({ tag: node.getAttribute('data-tag') ?? '', text: node.textContent ?? '' })),
    );
    const tags = new Map(sections.map(({ tag, text }) => [tag, text]));
    for (const module of [
      ...ALL_MODULES.map(({ name, description }) => ({ name, description })),
      { name: 'operations', description: 'Health probes' },
    ]) {
      expect([...tags.keys()], module.name).toContain(module.name);
      expect(tags.get(module.name), module.name).toContain(module.description?.slice(0, 20));
    }
    await page.close();
  });
});
