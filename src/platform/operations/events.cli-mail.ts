import type { Executor } from '../db/executor.js';
import { listParkedMails, type ParkedMail, retryParkedMails } from '../mail/mail-admin.js';

/** A mistake in a `mail` command line (the CLI turns it into its usage error). */
export class MailUsageError extends Error {}

export type MailCommand =
  | { kind: 'help'; text: string }
  | { kind: 'mail-list'; limit: number; page: number; json: boolean }
  | { kind: 'mail-retry'; selection: { ids: number[] } | 'all' };

export const MAIL_HELP = `Usage: npm run events -- mail <list|retry> ...

Mails the mail server refused MAIL_MAX_ATTEMPTS times are parked in platform.mail_outbox. Fix the
cause (an address, the server's configuration), then put them back in the queue: a running server's
mail relay sends them at its next poll (MAIL_POLL_MS), with the same Message-ID as before.

  mail list [--limit N] [--page P] [--json]   parked mails, oldest first (never their contents)
  mail retry <id> [<id> ...]                   these parked mails, with a fresh budget
  mail retry --all                             every parked mail

Prints what it listed, or the number put back ("retried: N"); exit code 1 when an id is not parked.
`;

type Flags = { text(name: string): string | undefined; flag(name: string): boolean; positionals: string[] };

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new MailUsageError(`${name} must be a positive integer, not "${value}"`);
  return Number(value);
}

/** `mail …` after the word `mail`; `parse` is the CLI's own option parser. */
export function parseMailCommand(
  args: readonly string[],
  parse: (args: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>) => Flags,
): MailCommand {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h')
    return { kind: 'help', text: MAIL_HELP };
  if (sub === 'list') {
    const parsed = parse(rest, {
      limit: { type: 'string' },
      page: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (parsed.flag('help')) return { kind: 'help', text: MAIL_HELP };
    if (parsed.positionals.length > 0)
      throw new MailUsageError(`mail list takes no argument (${parsed.positionals.join(' ')})`);
    return {
      kind: 'mail-list',
      limit: positiveInteger(parsed.text('limit'), '--limit', 20),
      page: positiveInteger(parsed.text('page'), '--page', 1),
      json: parsed.flag('json'),
    };
  }
  if (sub === 'retry') {
    const parsed = parse(rest, { all: { type: 'boolean' } });
    if (parsed.flag('help')) return { kind: 'help', text: MAIL_HELP };
    const all = parsed.flag('all');
    if (all && parsed.positionals.length > 0) throw new MailUsageError('give either ids or --all, not both');
    if (all) return { kind: 'mail-retry', selection: 'all' };
    if (parsed.positionals.length === 0) throw new MailUsageError('say which mails to retry: ids, or --all');
    const ids = parsed.positionals.map((id) => positiveInteger(id, 'a mail id', 0));
    return { kind: 'mail-retry', selection: { ids } };
  }
  throw new MailUsageError(`unknown mail command "${sub}" (list, retry)`);
}

function formatParked(count: number, results: readonly ParkedMail[]): string {
  if (results.length === 0)
    return count === 0 ? 'no parked mails' : `no parked mails on this page (${count} in all)`;
  const rows = results.map((mail) => [
    String(mail.id),
    mail.to,
    mail.template,
    mail.locale,
    String(mail.attempts),
    (mail.error ?? '-').replaceAll(/\s+/g, ' ').slice(0, 60),
    mail.parked_at,
  ]);
  const headers = ['ID', 'TO', 'TEMPLATE', 'LOCALE', 'TRIES', 'LAST ERROR', 'PARKED AT'];
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  const shown = results.length < count ? `\n${results.length} of ${count} shown` : '';
  return `${[line(headers), ...rows.map(line)].join('\n')}${shown}`;
}

/** Runs a `mail` command; answers the exit code (0 done, 1 something asked for was not parked). */
export async function executeMailCommand(
  command: Exclude<MailCommand, { kind: 'help' }>,
  executor: Executor,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  if (command.kind === 'mail-list') {
    const window = { offset: (command.page - 1) * command.limit, limit: command.limit };
    const { count, results } = await listParkedMails(executor, window);
    io.stdout.write(
      `${command.json ? JSON.stringify({ count, results }, null, 2) : formatParked(count, results)}\n`,
    );
    return 0;
  }
  const retried = await retryParkedMails(executor, command.selection);
  io.stdout.write(`retried: ${retried}\n`);
  if (command.selection !== 'all' && retried < new Set(command.selection.ids).size) {
    io.stderr.write('error: some of these ids are not parked mails (see "mail list")\n');
    return 1;
  }
  return 0;
}
