import { parseArgs } from 'node:util';
import type { Selection } from './dead-letters.js';
import { type MailCommand, MailUsageError, parseMailCommand } from './events.cli-mail.js';
import {
  DISCARD_HELP,
  DLQ_HELP,
  LIST_HELP,
  MAIN_HELP,
  REPLAY_HELP,
  SHOW_HELP,
  STATUS_HELP,
} from './events.cli-output.js';

/** A mistake in the command line: said, with a pointer to --help, and exit code 2. */
export class UsageError extends Error {}

export type Command =
  | { kind: 'help'; text: string }
  | { kind: 'status'; json: boolean }
  | { kind: 'list'; queue: string | undefined; limit: number; page: number; json: boolean }
  | { kind: 'show'; id: string }
  | { kind: 'replay'; selection: Selection }
  | { kind: 'discard'; selection: Selection; yes: boolean }
  | Exclude<MailCommand, { kind: 'help' }>;

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  text(name: string): string | undefined;
  flag(name: string): boolean;
}

function parse(args: readonly string[], options: OptionSpec): Parsed {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return {
    values,
    positionals: parsed.positionals,
    text: (name) => (typeof values[name] === 'string' ? values[name] : undefined),
    flag: (name) => values[name] === true,
  };
}

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new UsageError(`${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

function onePositional(positionals: readonly string[], what: string): string | undefined {
  if (positionals.length > 1) throw new UsageError(`expected one ${what}, got ${positionals.join(' ')}`);
  return positionals[0];
}

function selectionOf(parsed: Parsed, action: 'replay' | 'discard'): Selection {
  const id = onePositional(parsed.positionals, 'id');
  const queue = parsed.text('queue');
  const limit = parsed.text('limit');
  const all = parsed.flag('all');
  if (id !== undefined) {
    if (queue !== undefined || all || limit !== undefined)
      throw new UsageError('give either an id or --queue, not both');
    return { id };
  }
  if (queue === undefined) throw new UsageError(`say what to ${action}: an id, or --queue Q`);
  if (all && limit !== undefined) throw new UsageError('give either --all or --limit, not both');
  if (all) return { queue, all: true };
  if (action === 'discard')
    throw new UsageError('discarding a whole queue needs --all (and --yes not to be asked)');
  return { queue, limit: positiveInteger(limit, '--limit', 1) };
}

const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';

function parseDlq(args: readonly string[]): Command {
  const [sub, ...rest] = args;
  if (sub === undefined || isHelp(sub)) return { kind: 'help', text: DLQ_HELP };
  if (sub === 'list') {
    const parsed = parse(rest, {
      queue: { type: 'string' },
      limit: { type: 'string' },
      page: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (parsed.flag('help')) return { kind: 'help', text: LIST_HELP };
    if (parsed.positionals.length > 0)
      throw new UsageError(`dlq list takes no argument (${parsed.positionals.join(' ')})`);
    return {
      kind: 'list',
      queue: parsed.text('queue'),
      limit: positiveInteger(parsed.text('limit'), '--limit', 20),
      page: positiveInteger(parsed.text('page'), '--page', 1),
      json: parsed.flag('json'),
    };
  }
  if (sub === 'show') {
    const parsed = parse(rest, {});
    if (parsed.flag('help')) return { kind: 'help', text: SHOW_HELP };
    const id = onePositional(parsed.positionals, 'id');
    if (id === undefined) throw new UsageError('dlq show needs an id (see dlq list)');
    return { kind: 'show', id };
  }
  if (sub === 'replay') {
    const parsed = parse(rest, {
      queue: { type: 'string' },
      all: { type: 'boolean' },
      limit: { type: 'string' },
    });
    if (parsed.flag('help')) return { kind: 'help', text: REPLAY_HELP };
    return { kind: 'replay', selection: selectionOf(parsed, 'replay') };
  }
  if (sub === 'discard') {
    const parsed = parse(rest, {
      queue: { type: 'string' },
      all: { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
    });
    if (parsed.flag('help')) return { kind: 'help', text: DISCARD_HELP };
    return { kind: 'discard', selection: selectionOf(parsed, 'discard'), yes: parsed.flag('yes') };
  }
  throw new UsageError(`unknown dlq command "${sub}" (list, show, replay, discard)`);
}

/** The command line, checked before anything is opened. */
export function parseCommand(argv: readonly string[]): Command {
  const [command, ...rest] = argv;
  if (command === undefined || isHelp(command)) return { kind: 'help', text: MAIN_HELP };
  if (command === 'status') {
    const parsed = parse(rest, { json: { type: 'boolean' } });
    if (parsed.flag('help')) return { kind: 'help', text: STATUS_HELP };
    if (parsed.positionals.length > 0)
      throw new UsageError(`status takes no argument (${parsed.positionals.join(' ')})`);
    return { kind: 'status', json: parsed.flag('json') };
  }
  if (command === 'dlq') return parseDlq(rest);
  if (command === 'mail') {
    try {
      return parseMailCommand(rest, parse);
    } catch (error) {
      if (error instanceof MailUsageError) throw new UsageError(error.message);
      throw error;
    }
  }
  throw new UsageError(`unknown command "${command}" (status, dlq, mail)`);
}
