import type { DeadLetterView, EventsStatus } from './dead-letters.schemas.js';

export const MAIN_HELP = `Usage: npm run events -- <command> [options]

Looks at the event flow of this deployment and at its dead letters (messages a consumer gave up
on after EVENT_MAX_ATTEMPTS tries), with the server's own configuration (DATABASE_URL, AMQP_URL,
DATA_DIR, ...). Dead letters live in <queue>.dlq on RabbitMQ, in platform.dead_letters otherwise.

Commands:
  status                                   per module: outbox backlog and oldest unsent event,
                                           events published and consumed, dead letters per queue
  dlq list [--queue Q] [--limit N]         parked messages, oldest first
  dlq show <id>                            one parked message, whole, as JSON
  dlq replay <id>                          send it back to its queue (applied at most once)
  dlq replay --queue Q [--all | --limit N] the oldest message of a queue (or N, or all of them)
  dlq discard <id> [--yes]                 drop it, after a confirmation
  dlq discard --queue Q --all [--yes]      drop every message parked in a queue
  mail list                                parked mails (refused MAIL_MAX_ATTEMPTS times)
  mail retry <id>... | --all               put parked mails back in the queue

Run "npm run events -- <command> --help" for a command's options.
Exit codes: 0 done, 1 failed (not found, database or broker down, cancelled), 2 usage error.

On PGlite (no DATABASE_URL) the data folder cannot be opened by two processes: run this while the
server is stopped, or use the admin API (/api/admin/events). A replay is queued in the outbox and
delivered by a running server that hosts the queue's module, or by the next one to start.
`;

export const STATUS_HELP = `Usage: npm run events -- status [--json]

Per module: the outbox backlog of the exchange it publishes (events not yet confirmed by the bus)
and the age of its oldest unsent event, the events published; per queue it consumes: the events
applied (its inbox), the messages dead-lettered now and the replays not yet delivered; then the
mail outbox: mails pending (and being sent now), the age of the oldest pending, sent, parked.

Options:
  --json      print the status as JSON
  -h, --help  this help
`;

export const DLQ_HELP = `Usage: npm run events -- dlq <list|show|replay|discard> ...

  dlq list [--queue Q] [--limit N] [--page P] [--json]
  dlq show <id>
  dlq replay <id> | --queue Q [--all | --limit N]
  dlq discard <id> | --queue Q --all [--yes]

An id is <queue>:<event_id>, as "dlq list" prints it.
`;

export const LIST_HELP = `Usage: npm run events -- dlq list [--queue Q] [--limit N] [--page P] [--json]

Lists parked messages, oldest first: id, queue, event, routing key, error, tries, when parked.

Options:
  --queue Q   only this consumer queue (e.g. orders.product_events)
  --limit N   at most N messages (default 20)
  --page P    the P-th page of N (default 1)
  --json      print {count, results} as JSON
  -h, --help  this help
`;

export const SHOW_HELP = `Usage: npm run events -- dlq show <id>

Prints one parked message whole, as JSON: where it was headed, why it failed, how often it was
tried, and the event itself.
`;

export const REPLAY_HELP = `Usage: npm run events -- dlq replay <id>
       npm run events -- dlq replay --queue Q [--all | --limit N]

Sends parked messages back to their own queue only (not to the other queues bound to the
exchange), as a first try. It goes through the outbox: the message leaves the dead letters in the
same step as it is queued for delivery, so nothing is lost; the consumer's inbox makes sure an
event is applied at most once however often it is replayed. Prints the number replayed.

Options:
  --queue Q   replay from this queue: its oldest message, or
  --limit N   its N oldest, or
  --all       every message parked in it when the command starts
  -h, --help  this help
`;

export const DISCARD_HELP = `Usage: npm run events -- dlq discard <id> [--yes]
       npm run events -- dlq discard --queue Q --all [--yes]

Drops parked messages for good. Asks for confirmation on the terminal unless --yes is given;
without a terminal and without --yes it refuses (exit code 2).

Options:
  --queue Q   with --all: every message parked in this queue
  --all       required with --queue
  --yes       do not ask
  -h, --help  this help
`;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

const clip = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length - 1)}…` : text;

function age(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${Math.round(seconds / 3600)}h`;
}

export function formatStatus(status: EventsStatus): string {
  const modules = table(
    ['MODULE', 'EXCHANGE', 'PENDING', 'OLDEST PENDING', 'PUBLISHED'],
    status.modules.map((module) => [
      module.module,
      module.exchange ?? '-',
      String(module.outbox.pending),
      age(module.outbox.oldest_pending_age_seconds),
      String(module.outbox.published),
    ]),
  );
  const queues = table(
    ['QUEUE', 'CONSUMED', 'DEAD LETTERS', 'REPLAYS PENDING'],
    status.modules.flatMap((module) =>
      module.queues.map((queue) => [
        queue.queue,
        String(queue.consumed),
        String(queue.dead_lettered),
        String(queue.replays_pending),
      ]),
    ),
  );
  const { totals, mail } = status;
  return [
    `bus: ${status.bus}    dead letters kept in: ${status.dead_letter_store}`,
    '',
    modules,
    '',
    queues,
    '',
    `total: ${totals.pending} pending, ${totals.published} published, ${totals.consumed} consumed, ` +
      `${totals.dead_lettered} dead letters, ${totals.replays_pending} replays pending`,
    '',
    `mail: ${mail.pending} pending (${mail.sending} being sent), oldest pending ${age(mail.oldest_pending_age_seconds)}, ` +
      `${mail.sent} sent, ${mail.parked} parked`,
  ].join('\n');
}

export function formatList(count: number, results: readonly DeadLetterView[]): string {
  if (results.length === 0)
    return count === 0 ? 'no dead letters' : `no dead letters on this page (${count} in all)`;
  const rows = results.map((entry) => [
    entry.id,
    entry.queue,
    entry.event ?? '-',
    entry.routing_key,
    clip(entry.error.replaceAll(/\s+/g, ' '), 40),
    String(entry.attempts),
    entry.parked_at ?? '-',
  ]);
  const shown = results.length < count ? `\n${results.length} of ${count} shown` : '';
  return `${table(['ID', 'QUEUE', 'EVENT', 'ROUTING KEY', 'ERROR', 'TRIES', 'PARKED AT'], rows)}${shown}`;
}
