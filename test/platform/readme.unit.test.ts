import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../src/platform/config.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const scripts = Object.keys(
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts,
);

describe('README', () => {
  it('when a variable is in the configuration schema, then the configuration table documents it', () => {
    for (const variable of Object.keys(ConfigSchema.properties))
      expect(readme, variable).toContain(`| \`${variable}\` |`);
  });

  it('when the README names an npm script, then package.json has it', () => {
    for (const [, name] of readme.matchAll(/npm run ([a-z:]+)/g)) expect(scripts, name).toContain(name);
  });

  it('when a newcomer reads it, then the commands are there, the seed before the server', () => {
    const block = /## Run it, test it\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const order = ['npm install', 'npm run seed', 'npm run dev', 'npm test'].map((command) =>
      block.indexOf(command),
    );
    expect(order.every((position) => position >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});
