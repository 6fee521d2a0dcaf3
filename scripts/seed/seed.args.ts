import { parseArgs } from 'node:util';

/** A mistake in the command line: said in one line, with a pointer to --help, and exit code 2. */
export class UsageError extends Error {}

export type SeedCommand =
  | { kind: 'help' }
  | { kind: 'run'; products: number; wait: boolean; demo: boolean; progress: 'auto' | 'bar' | 'lines' };

export const USAGE = `Usage: npm run seed [-- <options>]

Fills the configured database (DATABASE_URL, else the embedded PGlite under DATA_DIR) with a pet
catalog, and with --demo with customers, carts, orders and reviews. Safe to run again: it adds what
is missing and never adds a thing twice.

Options:
  --products <count>  make the catalog hold at least <count> generated products (benchmarks);
                      a second run adds only the difference
  --demo              add demo customers (passwords in README.md), each with a cart holding items,
                      orders in every state the orders module has, and product reviews
  --no-wait           exit once the rows and their events are written; the next process that starts
                      the app delivers the events
  --progress <mode>   auto (a bar on a terminal, lines otherwise), bar or lines
  -h, --help          show this help

Exit codes: 0 done, 1 failed (said why), 2 wrong command line.`;

const OPTIONS = {
  products: { type: 'string' },
  demo: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  progress: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function count(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d{1,9}$/.test(value.replaceAll('_', '')))
    throw new UsageError(`--products takes a whole number from 0 to 999999999, not "${value}"`);
  return Number(value.replaceAll('_', ''));
}

function progressMode(value: string | undefined): 'auto' | 'bar' | 'lines' {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'bar' || value === 'lines') return value;
  throw new UsageError(`--progress takes auto, bar or lines, not "${value}"`);
}

/** Reads the seed's command line; throws a UsageError for anything it does not know. */
export function parseSeedArgs(argv: readonly string[]): SeedCommand {
  let values: { [name in keyof typeof OPTIONS]?: string | boolean };
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    // node:util words it well but long ("… To specify a positional argument …"): keep the first sentence.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.split('. ')[0]!.replace(/\.$/, ''));
  }
  if (values.help) return { kind: 'help' };
  return {
    kind: 'run',
    products: count(values.products as string | undefined),
    wait: !values['no-wait'],
    demo: values.demo === true,
    progress: progressMode(values.progress as string | undefined),
  };
}
