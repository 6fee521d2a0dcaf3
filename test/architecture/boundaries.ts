import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface Violation {
  file: string;
  imports: string;
  rule: string;
}

interface ImportEdge {
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(root: string): string[] {
  return readdirSync(root, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

function importsOf(file: string): { edges: ImportEdge[]; readsEnv: boolean } {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  let readsEnv = false;
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const allTypes =
        clause?.isTypeOnly === true ||
        (clause !== undefined &&
          clause.name === undefined &&
          clause.namedBindings !== undefined &&
          ts.isNamedImports(clause.namedBindings) &&
          clause.namedBindings.elements.length > 0 &&
          clause.namedBindings.elements.every((element) => element.isTypeOnly));
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: allTypes });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      edges.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      edges.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isPropertyAccessExpression(node) && node.getText(source) === 'process.env') {
      readsEnv = true;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { edges, readsEnv };
}

const ENVELOPE = 'src/platform/events/envelope.js';

/** TypeBox, and the platform's envelope types: what keeps a contract free of everything else. */
function contractMayImport(root: string, file: string, edge: ImportEdge): boolean {
  if (/^@sinclair\/typebox(\/|$)/.test(edge.specifier)) return true;
  if (!edge.specifier.startsWith('.')) return false;
  const target = relative(root, resolve(dirname(file), edge.specifier)).replaceAll('\\', '/');
  return edge.typeOnly && target === ENVELOPE;
}

function moduleOf(path: string): string | undefined {
  const match = /^src\/modules\/([^/]+)\//.exec(path);
  return match?.[1];
}

/**
 * The house rules, checked on `root/src`:
 * - `src/platform` never imports `src/modules`;
 * - a module imports another module only from its `contract.ts` (values and types);
 * - a `contract.ts` imports only TypeBox and, as types, the platform's event envelope;
 * - inside a module only `*.repository.ts` (and other tables files) import `*.tables.ts`;
 * - only `src/platform/config.ts` reads `process.env`.
 */
export function checkBoundaries(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const absolute of sourceFiles(join(root, 'src'))) {
    const file = relative(root, absolute).replaceAll('\\', '/');
    if (file.endsWith('.test.ts')) continue;
    const { edges, readsEnv } = importsOf(absolute);
    if (readsEnv && file !== 'src/platform/config.ts') {
      violations.push({
        file,
        imports: 'process.env',
        rule: 'only src/platform/config.ts reads the environment',
      });
    }
    const isContract = /^src\/modules\/[^/]+\/contract\.ts$/.test(file);
    for (const edge of edges) {
      if (isContract && !contractMayImport(root, absolute, edge)) {
        violations.push({
          file,
          imports: edge.specifier.startsWith('.')
            ? relative(root, resolve(dirname(absolute), edge.specifier)).replaceAll('\\', '/')
            : edge.specifier,
          rule: 'a contract.ts imports only @sinclair/typebox and platform envelope types',
        });
      }
      if (!edge.specifier.startsWith('.')) continue;
      const target = relative(root, resolve(dirname(absolute), edge.specifier)).replaceAll('\\', '/');
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (file.startsWith('src/platform/') && target.startsWith('src/modules/')) {
        violations.push({ file, imports: target, rule: 'src/platform must not import src/modules' });
      }
      if (from && to && from !== to && !/\/contract\.(js|ts)$/.test(target)) {
        violations.push({
          file,
          imports: target,
          rule: "a module may import only another module's contract.ts",
        });
      }
      if (
        from &&
        from === to &&
        /\.tables\.(js|ts)$/.test(target) &&
        !/\.(repository|tables)\.ts$/.test(file)
      ) {
        violations.push({ file, imports: target, rule: 'only *.repository.ts touches tables' });
      }
    }
  }
  return violations;
}
