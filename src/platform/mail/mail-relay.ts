import { type Backoff, backoffDelay } from '../backoff.js';
import type { Database } from '../db/database.js';
import { isTransientFailure } from '../db/failures.js';
import { classifySendFailure, describeSendFailure } from './mail-failures.js';
import { onMailRecorded } from './mail-outbox.js';
import { renderMail } from './mail-render.js';
import { type ClaimedMail, type MailRows, mailRows } from './mail-rows.js';
import type { MailTemplates } from './mail-templates.js';
import type { MailTransport } from './mail-transport.js';

/** Told of each mail's outcome (the `/metrics` counters). */
export interface MailObserver {
  sent(template: string): void;
  failed(template: string): void;
  parked(template: string): void;
}

interface RelayLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
  debug(object: object, message: string): void;
}

export interface MailRelayOptions {
  transport: MailTransport;
  /** MAIL_FROM: the sender, and the domain of every Message-ID. */
  from: string;
  maxAttempts: number;
  /** Between a mail's refusals; and between tries while the server cannot be reached. */
  retry: Backoff;
  pollMs: number;
  batchSize: number;
  /** How long a claim keeps other relays off a mail: longer than any send can take. */
  leaseMs: number;
  logger: RelayLogger;
  observer?: MailObserver;
  rows?: MailRows;
}

type Outcome = 'sent' | 'refused' | 'unreachable';

/** The running relays of each database, told of its commits by one listener (not one per relay). */
const relaysOf = new WeakMap<Database, Set<MailRelay>>();

function watchCommits(database: Database, relay: MailRelay): () => void {
  let relays = relaysOf.get(database);
  if (!relays) {
    const watched = new Set<MailRelay>();
    relays = watched;
    relaysOf.set(database, watched);
    database.onCommit(() => {
      for (const running of watched) running.committed();
    });
  }
  relays.add(relay);
  return () => relays.delete(relay);
}

/** `<mail-<id>.<created ms>@<MAIL_FROM's domain>>`: the same for every try of a row. */
export function messageIdOf(mail: Pick<ClaimedMail, 'id' | 'createdAt'>, from: string): string {
  const domain = /@([^@<>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<mail-${mail.id}.${mail.createdAt.getTime()}@${domain}>`;
}

/**
 * Sends the committed rows of the mail outbox, each at most once per claim. A relay claims a batch
 * (committed before anything is sent, `for update skip locked`, so replicas take different rows),
 * sends each and writes down what became of it: sent; refused by the server (retried after the
 * platform's backoff, parked after `maxAttempts`); or not sent because the server could not be
 * reached (released, no attempt used, the relay backs off). A relay that died mid-send leaves its
 * claim to expire; the next one sends the mail again with the same Message-ID.
 */
export class MailRelay {
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  private passQueued = false;
  private stopped = true;
  /** Set by `abandon()`: nothing more is written, as if the process had died. */
  private abandoned = false;
  private recorded = false;
  private unreachable = 0;
  private databaseFailures = 0;
  /** Outcomes whose write failed while the database was away: written first at the next pass. */
  private unwritten: (() => Promise<void>)[] = [];
  private unlisten: (() => void)[] = [];
  private readonly rows: MailRows;

  constructor(
    private readonly database: Database,
    private readonly options: MailRelayOptions,
  ) {
    this.rows = options.rows ?? mailRows;
  }

  start(): void {
    this.stopped = false;
    this.abandoned = false;
    this.unlisten = [
      onMailRecorded(() => {
        this.recorded = true;
      }),
      watchCommits(this.database, this),
    ];
    this.schedule(0);
  }

  /** A transaction of this process committed: if one recorded a mail, a pass looks at once. */
  committed(): void {
    if (!this.recorded) return;
    this.recorded = false;
    this.wake();
  }

  /** Asks for a pass soon (not while the server is unreachable: the backoff says when). */
  wake(): void {
    if (this.stopped || this.passQueued || this.unreachable > 0) return;
    this.passQueued = true;
    this.tail = this.tail.then(() => {
      this.passQueued = false;
      return this.pass();
    });
  }

  /** Sends everything due now and waits for it (tests; it runs even after `stop()`). */
  async flush(): Promise<void> {
    const work = this.tail.then(() => this.pass(true));
    this.tail = work;
    await work;
  }

  /** Takes no more mails, lets the sends under way finish and writes their outcomes. */
  async stop(): Promise<void> {
    this.halt();
    await this.tail;
    await this.writeUnwritten();
    this.options.transport.close();
  }

  /** Stops at once and writes nothing more: what a killed process does (tests). */
  abandon(): void {
    this.abandoned = true;
    this.halt();
  }

  private halt(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const unlisten of this.unlisten.splice(0)) unlisten();
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.passQueued = true;
      this.tail = this.tail.then(async () => {
        this.passQueued = false;
        await this.pass();
        this.schedule(this.nextDelay());
      });
    }, delay);
    this.timer.unref();
  }

  private nextDelay(): number {
    if (this.unreachable > 0) return backoffDelay(this.options.retry, this.unreachable - 1);
    // While the database fails, the poll interval doubles, at most 64 times it or 30 s (as the outbox relay's).
    const poll = {
      firstMs: this.options.pollMs,
      maxMs: Math.max(this.options.pollMs, Math.min(this.options.pollMs * 64, 30_000)),
    };
    return backoffDelay(poll, this.databaseFailures);
  }

  /** Claims and sends batches until none is due; a timer's pass ends early at `stop()`, a flush's does not. */
  private async pass(flush = false): Promise<void> {
    if (this.abandoned) return;
    try {
      await this.writeUnwritten();
      for (;;) {
        if (this.stopped && !flush) break;
        const claimed = await this.rows.claim(this.database.events.db, {
          limit: this.options.batchSize,
          leaseMs: this.options.leaseMs,
        });
        this.databaseFailures = 0;
        if (this.abandoned) break;
        // Nothing due (another replica may have sent what this one released): the next mail
        // recorded tries the server at once rather than after this relay's backoff.
        if (claimed.length === 0) {
          this.unreachable = 0;
          break;
        }
        const outcomes = await Promise.all(claimed.map((mail) => this.deliver(mail)));
        if (outcomes.includes('unreachable')) {
          this.unreachable++;
          break;
        }
        this.unreachable = 0;
      }
    } catch (error) {
      this.databaseFailures++;
      this.database.availability.report(error);
      const level = isTransientFailure(error) ? 'debug' : 'warn';
      this.options.logger[level]({ err: error }, 'mail relay could not read the mail outbox; will retry');
    }
  }

  private async deliver(mail: ClaimedMail): Promise<Outcome> {
    const { transport, from, logger, observer } = this.options;
    const messageId = messageIdOf(mail, from);
    let rendered: ReturnType<typeof renderMail>;
    try {
      rendered = renderMail(
        mail.template,
        mail.locale,
        mail.data as unknown as MailTemplates[typeof mail.template],
      );
    } catch (error) {
      return this.refused(mail, describeSendFailure(error), true);
    }
    if (mail.reclaimed)
      logger.warn(
        { mail: mail.id, messageId },
        'mail claimed by a relay that stopped before it finished: sending it again with the same Message-ID',
      );
    try {
      await transport.send({
        id: mail.id,
        template: mail.template,
        from,
        to: mail.recipient,
        messageId,
        ...rendered,
      });
    } catch (error) {
      const description = describeSendFailure(error);
      if (classifySendFailure(error) === 'unreachable') {
        logger.warn({ mail: mail.id, error: description }, 'mail server unreachable; the mail waits');
        await this.write(() => this.rows.release(this.database.events.db, [mail.id], description));
        return 'unreachable';
      }
      return this.refused(mail, description, mail.attempts + 1 >= this.options.maxAttempts);
    }
    await this.write(() => this.rows.sent(this.database.events.db, mail.id));
    observer?.sent(mail.template);
    logger.debug({ mail: mail.id, messageId, template: mail.template }, 'mail sent');
    return 'sent';
  }

  private async refused(mail: ClaimedMail, error: string, park: boolean): Promise<Outcome> {
    const retryInMs = backoffDelay(this.options.retry, mail.attempts);
    await this.write(() => this.rows.refused(this.database.events.db, mail.id, { error, retryInMs, park }));
    this.options.observer?.failed(mail.template);
    if (park) {
      this.options.observer?.parked(mail.template);
      this.options.logger.error(
        { mail: mail.id, template: mail.template, attempts: mail.attempts + 1, error },
        'mail parked after its last attempt: see `npm run events -- mail list`',
      );
    } else {
      this.options.logger.warn({ mail: mail.id, error, retryInMs }, 'mail refused; will try again');
    }
    return 'refused';
  }

  /** Writes an outcome; while the database is away it is kept and written at the next pass. */
  private async write(outcome: () => Promise<void>): Promise<void> {
    if (this.abandoned) return;
    try {
      await outcome();
    } catch (error) {
      this.database.availability.report(error);
      if (isTransientFailure(error)) this.unwritten.push(outcome);
      else this.options.logger.error({ err: error }, 'could not write what became of a mail');
    }
  }

  private async writeUnwritten(): Promise<void> {
    const pending = this.unwritten;
    this.unwritten = [];
    for (const outcome of pending) await this.write(outcome);
  }
}
