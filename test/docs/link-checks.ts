import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import { linksOf, type MarkdownDocument } from './markdown.js';

/** What a link may point at: the repository's files (paths relative to its root) and their anchors. */
export interface Repository {
  files: ReadonlySet<string>;
  directories: ReadonlySet<string>;
  /** The heading anchors of a Markdown file of the repository. */
  anchorsOf(path: string): ReadonlySet<string>;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/iu;

/**
 * The rule: a clone of the repository is all a reader has, so no link may leave it. A link, image,
 * reference definition, HTML `href`/`src` or bare URL (GitHub turns those into links) outside code
 * must be a relative path to a file or folder of the repository, optionally with an `#anchor` that
 * is a heading of the Markdown file it names (or of this file, for `#anchor` alone). URLs inside
 * code spans and code blocks are commands and examples, not links, and are allowed.
 */
export function checkLinks(document: MarkdownDocument, repository: Repository): string[] {
  const problems: string[] = [];
  const from = posix.dirname(document.path);
  for (const { target, kind } of linksOf(document)) {
    const say = (why: string) => problems.push(`${document.path}: ${kind} ${target || '(empty)'} ${why}`);
    if (target === '') {
      say('has no target');
      continue;
    }
    if (SCHEME.test(target) || target.startsWith('//')) {
      say('leaves the repository: name the project in plain text or code instead');
      continue;
    }
    if (target.startsWith('/')) {
      say('is absolute: write it relative to this file');
      continue;
    }
    const [rawPath = '', anchor] = target.split('#', 2);
    let path: string;
    try {
      path = rawPath === '' ? document.path : posix.normalize(posix.join(from, decodeURIComponent(rawPath)));
    } catch {
      say('is not a valid path');
      continue;
    }
    path = path.replace(/\/$/u, '');
    if (path === '..' || path.startsWith('../')) {
      say('leaves the repository');
      continue;
    }
    if (!repository.files.has(path) && !repository.directories.has(path) && path !== '.') {
      say(`names ${path}, which is not in the repository`);
      continue;
    }
    if (anchor !== undefined && path.endsWith('.md') && !repository.anchorsOf(path).has(anchor)) {
      say(`names the anchor #${anchor}, which is no heading of ${path}`);
    }
  }
  return problems;
}

function walk(root: string, directory = ''): string[] {
  const skipped = new Set(['.git', 'node_modules', 'dist', '.data', 'coverage']);
  return readdirSync(posix.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = directory ? `${directory}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : walk(root, path);
    return [path];
  });
}

/**
 * The files a clone has: git's tracked files plus new ones it does not ignore (so a document written
 * but not yet committed counts); without git, every file but the usual build and dependency folders.
 */
export function repositoryFiles(root: string): string[] {
  try {
    const output = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return output.split('\0').filter(Boolean);
  } catch {
    return walk(root);
  }
}

export function directoriesOf(files: Iterable<string>): Set<string> {
  const directories = new Set<string>();
  for (const file of files) {
    for (let directory = posix.dirname(file); directory !== '.'; directory = posix.dirname(directory)) {
      directories.add(directory);
    }
  }
  return directories;
}
