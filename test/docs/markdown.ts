import GithubSlugger from 'github-slugger';
import { Lexer, type Token, type Tokens, walkTokens } from 'marked';

/**
 * A Markdown file read the way GitHub renders it (CommonMark + GFM: tables, bare URLs as links),
 * so that the checks see what a reader sees: a URL inside code is text, not a link.
 */
export interface MarkdownDocument {
  path: string;
  text: string;
  tokens: Token[];
  /** Reference definitions (`[label]: target`), which render as nothing but are links all the same. */
  definitions: string[];
}

export function parseMarkdown(path: string, text: string): MarkdownDocument {
  const tokens = new Lexer({ gfm: true }).lex(text);
  return { path, text, tokens, definitions: Object.values(tokens.links).map((link) => link.href) };
}

/** Every token, depth first: inline tokens, list items and table cells included. */
export function allTokens(tokens: Token[]): Token[] {
  const found: Token[] = [];
  walkTokens(tokens, (token) => {
    found.push(token);
  });
  return found;
}

/** The anchors GitHub gives the document's headings (`## Paging` → `paging`, repeats `-1`, `-2`). */
export function headingAnchors(document: MarkdownDocument): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const token of allTokens(document.tokens)) {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  }
  return anchors;
}

/** The text a reader sees: code spans without their backticks, links without their targets. */
export function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if ('tokens' in token && token.tokens && token.type !== 'codespan') return plainText(token.tokens);
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}

export interface TableCell {
  /** As written, Markdown and all. */
  raw: string;
  tokens: Token[];
}

export interface MarkdownTable {
  /** The text of the nearest heading above the table. */
  heading: string;
  header: string[];
  rows: TableCell[][];
}

/** Every table, with the heading it sits under and its header cells lower-cased. */
export function tablesOf(document: MarkdownDocument): MarkdownTable[] {
  const tables: MarkdownTable[] = [];
  let heading = '';
  for (const token of document.tokens) {
    if (token.type === 'heading') heading = plainText((token as Tokens.Heading).tokens);
    if (token.type !== 'table') continue;
    const table = token as Tokens.Table;
    tables.push({
      heading,
      header: table.header.map((cell) => cell.text.trim().toLowerCase()),
      rows: table.rows.map((row) => row.map((cell) => ({ raw: cell.text, tokens: cell.tokens }))),
    });
  }
  // Tables nested in list items (a legend under a bullet) are found by walking, without a heading.
  for (const token of allTokens(document.tokens)) {
    if (token.type !== 'table' || document.tokens.includes(token)) continue;
    const table = token as Tokens.Table;
    tables.push({
      heading: '',
      header: table.header.map((cell) => cell.text.trim().toLowerCase()),
      rows: table.rows.map((row) => row.map((cell) => ({ raw: cell.text, tokens: cell.tokens }))),
    });
  }
  return tables;
}

/** The contents of the code spans among `tokens` (`` `GET /api/cart` `` → `GET /api/cart`). */
export function codeSpans(tokens: Token[]): string[] {
  return allTokens(tokens)
    .filter((token): token is Tokens.Codespan => token.type === 'codespan')
    .map((token) => token.text);
}

export interface MarkdownLink {
  target: string;
  /** How it was written: `[text](target)`, `![alt](target)`, `[label]: target`, a bare URL, or HTML. */
  kind: 'link' | 'image' | 'definition' | 'autolink' | 'html';
}

const HTML_TARGET = /\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/giu;

/** Every place the rendered document would link or embed from, outside code. */
export function linksOf(document: MarkdownDocument): MarkdownLink[] {
  const links: MarkdownLink[] = document.definitions.map((target) => ({ target, kind: 'definition' }));
  for (const token of allTokens(document.tokens)) {
    if (token.type === 'link') {
      const link = token as Tokens.Link;
      links.push({ target: link.href, kind: link.autolink || link.raw === link.href ? 'autolink' : 'link' });
    } else if (token.type === 'image') {
      links.push({ target: (token as Tokens.Image).href, kind: 'image' });
    } else if (token.type === 'html') {
      for (const match of (token as Tokens.HTML).raw.matchAll(HTML_TARGET)) {
        links.push({ target: match[1] ?? match[2] ?? match[3] ?? '', kind: 'html' });
      }
    }
  }
  return links;
}
