import { createInterface } from 'node:readline/promises';
import cliProgress from 'cli-progress';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { type Database, databaseOptions, openDatabase, queryRows } from '../db/database.js';
import { AppError } from '../http/errors.js';
import type { ModuleDefinition } from '../module.js';
import { type DeadLetters, openDeadLetters, type Selection } from './dead-letters.js';
import type { Progress } from './dead-letters.store.js';
import { type Command, parseCommand, UsageError } from './events.cli-args.js';
import { executeMailCommand } from './events.cli-mail.js';
import { formatList, formatStatus } from './events.cli-output.js';

export interface CliStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface EventsCliOptions {
  config: Config;
  /** Every module of the system: their queues are the ones looked at. */
  modules: readonly ModuleDefinition[];
  io: CliStreams;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A failure already explained to the operator. */
class CliFailure extends Error {}

/** Long replays and discards show a bar on a terminal; short ones and pipes stay quiet. */
const PROGRESS_FROM = 20;

function progressBar(io: CliStreams, label: string): { progress: Progress; stop(): void } {
  let bar: cliProgress.SingleBar | undefined;
  return {
    progress: (done, total) => {
      if (!io.stderr.isTTY || total < PROGRESS_FROM) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: io.stderr, format: `${label} [{bar}] {value}/{total}`, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

async function confirm(io: CliStreams, question: string): Promise<boolean> {
  const prompt = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(`${question} [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      prompt.once('line', resolve);
      prompt.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

/**
 * An embedded PGlite folder must not be opened by two processes; a server answering on the
 * configured port most likely holds it.
 */
async function refuseSharedPglite(config: Config): Promise<void> {
  if (config.DATABASE_URL) return;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}/health/live`;
  const answered = await fetch(url, { signal: AbortSignal.timeout(500) }).then(
    (response) => response.ok,
    () => false,
  );
  if (answered)
    throw new CliFailure(
      `a server answers on ${url.replace('/health/live', '')} and holds the PGlite data folder ${config.DATA_DIR}: ` +
        'stop it first, or use the admin API (/api/admin/events)',
    );
}

async function openPlatform(
  options: EventsCliOptions,
): Promise<{ database: Database; deadLetters: DeadLetters }> {
  const { config, modules } = options;
  await refuseSharedPglite(config);
  const database = await openDatabase(databaseOptions(config, 2));
  try {
    const [tables] = await queryRows<{ outbox: string | null }>(
      database.db,
      sql`select to_regclass('platform.outbox')::text as outbox`,
    );
    if (!tables?.outbox)
      throw new CliFailure(
        'the database has no platform tables yet: start the server once, or run "npm run db:migrate"',
      );
    return { database, deadLetters: await openDeadLetters({ config, database, modules }) };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function discardConfirmed(
  io: CliStreams,
  deadLetters: DeadLetters,
  selection: Selection,
): Promise<boolean> {
  if ('id' in selection) {
    const entry = await deadLetters.show(selection.id);
    return confirm(io, `Discard ${entry.id} (${entry.event ?? 'not an event'}, failed: ${entry.error})?`);
  }
  const { count } = await deadLetters.list({ queue: selection.queue, offset: 0, limit: 1 });
  if (count === 0) return true;
  return confirm(
    io,
    `Discard all ${count} dead letter(s) parked in ${selection.queue}? This cannot be undone.`,
  );
}

async function execute(
  command: Exclude<Command, { kind: 'help' }>,
  { database, deadLetters }: { database: Database; deadLetters: DeadLetters },
  io: CliStreams,
): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  switch (command.kind) {
    case 'mail-list':
    case 'mail-retry':
      return executeMailCommand(command, database.db, io);
    case 'status': {
      const status = await deadLetters.status();
      print(command.json ? JSON.stringify(status, null, 2) : formatStatus(status));
      return EXIT.ok;
    }
    case 'list': {
      const window = { offset: (command.page - 1) * command.limit, limit: command.limit };
      const { count, results } = await deadLetters.list({ ...window, queue: command.queue });
      print(command.json ? JSON.stringify({ count, results }, null, 2) : formatList(count, results));
      return EXIT.ok;
    }
    case 'show':
      print(JSON.stringify(await deadLetters.show(command.id), null, 2));
      return EXIT.ok;
    case 'replay': {
      const bar = progressBar(io, 'replaying');
      const result = await deadLetters.replay(command.selection, bar.progress).finally(() => bar.stop());
      print(`replayed: ${result.taken}`);
      if (result.skipped > 0)
        io.stderr.write(`left parked: ${result.skipped} (not event envelopes; discard them by id)\n`);
      if (result.taken > 0)
        io.stderr.write(
          'queued in the outbox: a running server that hosts the queue delivers it (or the next one to start)\n',
        );
      return EXIT.ok;
    }
    case 'discard': {
      if (!command.yes && !(await discardConfirmed(io, deadLetters, command.selection))) {
        io.stderr.write('cancelled: nothing discarded\n');
        return EXIT.failed;
      }
      const bar = progressBar(io, 'discarding');
      const result = await deadLetters.discard(command.selection, bar.progress).finally(() => bar.stop());
      print(`discarded: ${result.taken}`);
      return EXIT.ok;
    }
  }
}

/** `npm run events -- …`: answers with an exit code; prints results on stdout, the rest on stderr. */
export async function runEventsCli(argv: readonly string[], options: EventsCliOptions): Promise<number> {
  const { io } = options;
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\nRun "npm run events -- --help" for usage.\n`);
    return EXIT.usage;
  }
  if (command.kind === 'help') {
    io.stdout.write(command.text);
    return EXIT.ok;
  }
  if (command.kind === 'discard' && !command.yes && !io.stdin.isTTY) {
    io.stderr.write(
      'error: refusing to discard without a confirmation: stdin is not a terminal; add --yes\n',
    );
    return EXIT.usage;
  }
  let opened: { database: Database; deadLetters: DeadLetters } | undefined;
  try {
    opened = await openPlatform(options);
    return await execute(command, opened, io);
  } catch (error) {
    if (error instanceof AppError || error instanceof CliFailure) {
      if (command.kind === 'replay' && error instanceof AppError && error.status === 404)
        io.stdout.write('replayed: 0\n');
      io.stderr.write(`error: ${error.message}\n`);
      // A queue that does not exist is a mistake in the command line.
      return error instanceof AppError && error.status === 400 ? EXIT.usage : EXIT.failed;
    }
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  } finally {
    await opened?.deadLetters.close();
    await opened?.database.close();
  }
}
