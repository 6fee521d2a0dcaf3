import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The house limit (docs/platform-guide.md, rule 11): a file that outgrows it is split by role. */
const MAX_LINES = 300;

/** Files below `folder` with more lines than the limit, and how many. */
function oversized(folder: string): string[] {
  return readdirSync(join(projectRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .map((file) => ({ file, lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter(({ lines }) => lines > MAX_LINES)
    .map(({ file, lines }) => `${relative(projectRoot, file)}: ${lines} lines`);
}

describe('file size', () => {
  it(`when src/ (platform, modules, app and server) is measured, then no file has more than ${MAX_LINES} lines`, () => {
    expect(oversized('src')).toEqual([]);
  });
});
