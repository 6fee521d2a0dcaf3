import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A dotted error code as the source spells it: `'ORDERS.INVALID_TRANSITION'`. */
const DOTTED = /'([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)'/gu;
/** The platform's two undotted codes, as `problem(status, 'CODE', …)` or `BadRequestError('CODE', …)` give them. */
const UNDOTTED = /(?:\bproblem\(\s*[^,()]+,\s*|\bBadRequestError\(\s*)'([A-Z][A-Z_]+)'/gu;
const CLASS = /^(?:export )?class (\w+) extends (\w+) \{\n([\s\S]*?)^\}/gmu;
const SUPER_STATUS = /\bsuper\(\s*(\d{3})\b/u;
const PROBLEM_STATUS = /\bproblem\(\s*(\d{3}),\s*'([A-Z][A-Z0-9_.]+)'/gu;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Every error code the source can answer, with its status where the source states it: the error
 * classes (`class X extends ConflictError { … super('CART.EMPTY', …) }`, or `super(429, 'CODE', …)`)
 * and the codes the error handler gives directly. A code whose status the framework decides maps to
 * undefined.
 */
export function sourceErrorCodes(sourceRoot: string): Map<string, number | undefined> {
  const codes = new Map<string, number | undefined>();
  const classStatus = new Map<string, number>();
  const classes: { name: string; base: string; body: string }[] = [];
  for (const file of sourceFiles(sourceRoot)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(DOTTED)) if (!codes.has(match[1]!)) codes.set(match[1]!, undefined);
    for (const match of text.matchAll(UNDOTTED)) if (!codes.has(match[1]!)) codes.set(match[1]!, undefined);
    for (const match of text.matchAll(PROBLEM_STATUS)) codes.set(match[2]!, Number(match[1]));
    for (const match of text.matchAll(CLASS))
      classes.push({ name: match[1]!, base: match[2]!, body: match[3]! });
  }
  // A class's status is its own `super(<status>, …)`, else its base class's: settle them in rounds.
  for (let round = 0; round < classes.length; round++) {
    for (const { name, base, body } of classes) {
      const own = SUPER_STATUS.exec(body)?.[1];
      const status = own ? Number(own) : classStatus.get(base);
      if (status !== undefined) classStatus.set(name, status);
    }
  }
  for (const { name, body } of classes) {
    const status = classStatus.get(name);
    for (const match of body.matchAll(DOTTED)) if (status !== undefined) codes.set(match[1]!, status);
    for (const match of body.matchAll(UNDOTTED)) if (status !== undefined) codes.set(match[1]!, status);
  }
  return codes;
}
