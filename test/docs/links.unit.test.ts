import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLinks, directoriesOf, type Repository, repositoryFiles } from './link-checks.js';
import { headingAnchors, type MarkdownDocument, parseMarkdown } from './markdown.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Spelled in pieces so that this file does not hold the very reference it looks for. */
const SHARED = ['..', 'shared', ''].join('/');
const files = repositoryFiles(ROOT).filter((file) => existsSync(`${ROOT}${file}`));
const markdown = new Map<string, MarkdownDocument>(
  files
    .filter((file) => file.endsWith('.md'))
    .map((file) => [file, parseMarkdown(file, readFileSync(`${ROOT}${file}`, 'utf8'))]),
);
const repository: Repository = {
  files: new Set(files),
  directories: directoriesOf(files),
  anchorsOf: (path) => {
    const document = markdown.get(path);
    return document ? headingAnchors(document) : new Set();
  },
};

describe('links in the documentation', () => {
  it('when the repository has Markdown files, then the README and docs/ are among them', () => {
    expect([...markdown.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'docs/api.md', 'docs/events.md']),
    );
  });

  it('when any Markdown file of the repository links (link, image, reference, HTML or bare URL outside code), then the target is a file or folder of the repository and its anchor a heading there', () => {
    const problems = [...markdown.values()].flatMap((document) => checkLinks(document, repository));
    expect(problems).toEqual([]);
  });

  it('when any file of the repository is read, then none refers to the shared folder beside the repository (a clone has no such folder)', () => {
    const referring = files.filter(
      (file) =>
        !/\.(?:png|svg|ico|gz)$/u.test(file) && readFileSync(`${ROOT}${file}`, 'utf8').includes(SHARED),
    );
    expect(referring).toEqual([]);
  });

  it('when a document links out in each way the rule forbids, then each is reported and nothing else', () => {
    const document = parseMarkdown(
      'docs/example.md',
      [
        '# Example',
        '',
        'A [site](https://pglite.dev), a bare https://bare.example/x, an <https://auto.example>, a',
        `[mail](mailto:a@b.example), a [contract](../${SHARED}api-contract.md), a [missing](missing.md),`,
        'an [anchor](api.md#no-such-heading), a [root](/README.md), an ![image](http://img.example/x.png),',
        'an <a href="http://html.example">html link</a> and a [reference][ref].',
        '',
        '[ref]: https://ref.example',
        '',
        'Fine: [the guide](api.md#paging), [modules](modules/), [the readme](../README.md),',
        '[here](#example), `https://in.code.example` and',
        '',
        '```sh',
        'curl http://localhost:3000/health/ready',
        '```',
      ].join('\n'),
    );
    const example: Repository = {
      files: new Set(['README.md', 'docs/api.md', 'docs/example.md', 'docs/modules/users.md']),
      directories: new Set(['docs', 'docs/modules']),
      anchorsOf: (path) => (path === 'docs/api.md' ? new Set(['paging']) : headingAnchors(document)),
    };
    expect(checkLinks(document, example).sort()).toEqual(
      [
        'docs/example.md: definition https://ref.example leaves the repository: name the project in plain text or code instead',
        'docs/example.md: link https://pglite.dev leaves the repository: name the project in plain text or code instead',
        'docs/example.md: autolink https://bare.example/x leaves the repository: name the project in plain text or code instead',
        'docs/example.md: autolink https://auto.example leaves the repository: name the project in plain text or code instead',
        'docs/example.md: link mailto:a@b.example leaves the repository: name the project in plain text or code instead',
        `docs/example.md: link ../${SHARED}api-contract.md leaves the repository`,
        'docs/example.md: link missing.md names docs/missing.md, which is not in the repository',
        'docs/example.md: link api.md#no-such-heading names the anchor #no-such-heading, which is no heading of docs/api.md',
        'docs/example.md: link /README.md is absolute: write it relative to this file',
        'docs/example.md: image http://img.example/x.png leaves the repository: name the project in plain text or code instead',
        'docs/example.md: html http://html.example leaves the repository: name the project in plain text or code instead',
        'docs/example.md: link https://ref.example leaves the repository: name the project in plain text or code instead',
      ].sort(),
    );
  });
});
