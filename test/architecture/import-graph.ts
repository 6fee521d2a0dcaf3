import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One file's import of another file of the tree. */
export interface ImportEdge {
  /** Both paths relative to the root, with forward slashes (`src/platform/db/session.ts`). */
  from: string;
  to: string;
  /**
   * True when the edge only carries types (`import type`, `export type … from`, `import { type A }`
   * with nothing else, `typeof import(…)`): erased at compile time, but still a dependency of the
   * design — a file cannot be understood, moved or tested without the types it names.
   */
  typeOnly: boolean;
}

/** Every `.ts` file below `root/<folder>` and the edges between them (imports that leave the tree are dropped). */
export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}

interface Specifier {
  text: string;
  typeOnly: boolean;
}

function namedImportsAreTypes(clause: ts.ImportClause): boolean {
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    clause.name === undefined &&
    bindings !== undefined &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((element) => element.isTypeOnly)
  );
}

function exportedNamesAreTypes(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return (
    clause !== undefined &&
    ts.isNamedExports(clause) &&
    clause.elements.length > 0 &&
    clause.elements.every((element) => element.isTypeOnly)
  );
}

/** Static imports, re-exports, `import()` calls and `import('…')` type references. */
function specifiersOf(path: string): Specifier[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Specifier[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteral(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const text = literal(node.moduleSpecifier);
      const clause = node.importClause;
      if (text) found.push({ text, typeOnly: clause !== undefined && namedImportsAreTypes(clause) });
    } else if (ts.isExportDeclaration(node)) {
      const text = literal(node.moduleSpecifier);
      if (text) found.push({ text, typeOnly: exportedNamesAreTypes(node) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const text = literal(node.arguments[0]);
      if (text) found.push({ text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const text = literal(node.argument.literal);
      if (text) found.push({ text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `./x.js` is `./x.ts` on disk (NodeNext); a folder means its `index.ts`. */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => candidate.endsWith('.ts') && existsSync(candidate));
}

export function importGraph(root: string, folder = 'src'): ImportGraph {
  const toPath = (absolute: string) => relative(root, absolute).replaceAll('\\', '/');
  const absolutes = readdirSync(join(root, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  const edges: ImportEdge[] = [];
  for (const absolute of absolutes) {
    for (const specifier of specifiersOf(absolute)) {
      if (!specifier.text.startsWith('.')) continue;
      const target = resolveRelative(absolute, specifier.text);
      if (target) edges.push({ from: toPath(absolute), to: toPath(target), typeOnly: specifier.typeOnly });
    }
  }
  return { files: absolutes.map(toPath), edges };
}
