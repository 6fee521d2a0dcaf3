import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The files every module has, each with its one role (docs/platform-guide.md, "Module shape"). */
export const TEMPLATE_FILES = [
  'index.ts',
  'contract.ts',
  '<m>.routes.ts',
  '<m>.schemas.ts',
  '<m>.service.ts',
  '<m>.repository.ts',
  '<m>.tables.ts',
  '<m>.mapping.ts',
  '<m>.events.ts',
  '<m>.subscribers.ts',
  '<m>.errors.ts',
] as const;

/** index.ts only names the module's parts: a few lines. */
export const MAX_INDEX_LINES = 20;

export interface TemplateBreak {
  module: string;
  file: string;
  rule: string;
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/** What each module under `root/src/modules` does differently from the template. */
export function templateBreaks(root: string): TemplateBreak[] {
  const modulesDir = join(root, 'src/modules');
  const breaks: TemplateBreak[] = [];
  for (const module of readdirSync(modulesDir, { withFileTypes: true })) {
    if (!module.isDirectory()) continue;
    const name = module.name;
    const dir = join(modulesDir, name);
    const at = (file: string) => file.replace('<m>', name);
    const report = (file: string, rule: string) => breaks.push({ module: name, file: at(file), rule });
    for (const file of TEMPLATE_FILES) {
      if (!existsSync(join(dir, at(file)))) report(file, 'missing');
    }
    const index = read(join(dir, 'index.ts'));
    if (index.split('\n').length - 1 > MAX_INDEX_LINES) {
      report('index.ts', `more than ${MAX_INDEX_LINES} lines: it names the parts, the parts do the work`);
    }
    if (index && !index.includes(`export const ${name}Module = defineModule(`)) {
      report('index.ts', `declares ${name}Module with defineModule()`);
    }
    if (index && !index.includes(`app.register(${name}Routes,`)) {
      report('index.ts', `registers its routes as the plugin ${name}Routes`);
    }
    const routes = read(join(dir, at('<m>.routes.ts')));
    if (routes && !routes.includes(`export async function ${name}Routes(`)) {
      report('<m>.routes.ts', `exports its routes as the plugin \`async function ${name}Routes\``);
    }
    for (const file of readdirSync(dir).filter((entry) => entry.endsWith('.ts'))) {
      const text = read(join(dir, file));
      const role = /\.([a-z-]+)\.ts$/.exec(file)?.[1];
      if (/from '\.\/[^']+\.tables\.js'/.test(text) && role !== 'repository' && role !== 'tables') {
        report(file, 'only a repository imports tables');
      }
      if ((role === 'routes' || role === 'service') && /\.toISOString\(\)|formatCents\(/.test(text)) {
        report(file, 'maps records to JSON: that is <m>.mapping.ts');
      }
      if (/\beventOf\(|\bexchange:/.test(text) && role !== 'events' && file !== 'contract.ts') {
        report(file, 'builds an event: that is <m>.events.ts');
      }
      if (/\b(preHandler|preValidation)\s*:|\bonRequest\s*[,}]/.test(text)) {
        report(file, 'guards a route another way than `onRequest: app.authenticate` / `app.requireAdmin`');
      }
      if (/function problemResponses|const problemResponses/.test(text)) {
        report(file, "keeps its own problemResponses: use the platform's");
      }
    }
  }
  return breaks;
}
