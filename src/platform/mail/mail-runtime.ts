import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { type MailObserver, MailRelay } from './mail-relay.js';
import { MailRetention } from './mail-retention.js';
import { createMailTransport, type MailTransport, mailFolder } from './mail-transport.js';

/** Mails claimed and sent together, each on its own SMTP connection. */
const BATCH_SIZE = 10;
/** How often sent mails past the retention are swept (as the event outbox's). */
const RETENTION_SWEEP_MS = 10 * 60_000;

/**
 * A claim outlasts the slowest send: nodemailer gives up after MAIL_SEND_TIMEOUT_MS at each of
 * DNS, connection, greeting and an idle socket, so five of them leave room to write the outcome.
 */
export const leaseOf = (config: Pick<Config, 'MAIL_SEND_TIMEOUT_MS'>) => config.MAIL_SEND_TIMEOUT_MS * 5;

export interface MailRuntimeOptions {
  config: Config;
  database: Database;
  logger: FastifyBaseLogger;
  observer?: MailObserver;
  /** Replaces the configured transport (tests). */
  transport?: MailTransport;
}

/** The platform's mailer: the transport the configuration chose and the relay that feeds it. */
export class MailRuntime {
  readonly transport: MailTransport;
  readonly relay: MailRelay;
  readonly retention: MailRetention;

  constructor(private readonly options: MailRuntimeOptions) {
    const { config, database, logger } = options;
    this.transport =
      options.transport ??
      createMailTransport(config, (path, mail) =>
        logger.info({ mail: mail.id, to: mail.to, path }, `mail "${mail.subject}" written to ${path}`),
      );
    this.relay = new MailRelay(database, {
      transport: this.transport,
      from: config.MAIL_FROM,
      maxAttempts: config.MAIL_MAX_ATTEMPTS,
      retry: { firstMs: config.MAIL_RETRY_DELAY_MS, maxMs: config.MAIL_RETRY_MAX_DELAY_MS, jitter: 0.25 },
      pollMs: config.MAIL_POLL_MS,
      batchSize: BATCH_SIZE,
      leaseMs: leaseOf(config),
      logger: logger.child({ component: 'mail-relay' }),
      ...(options.observer ? { observer: options.observer } : {}),
    });
    this.retention = new MailRetention(database.events, {
      retentionHours: config.EVENT_RETENTION_HOURS,
      intervalMs: RETENTION_SWEEP_MS,
      onSwept: (removed) => logger.info({ removed }, 'swept sent mails past the retention'),
      onError: (error) => logger.warn({ err: error }, 'mail retention sweep failed; will try again'),
    });
  }

  start(): void {
    if (this.transport.kind === 'file' && this.options.config.NODE_ENV === 'production')
      this.options.logger.warn(
        `no SMTP configured (SMTP_URL or SMTP_HOST): mails are written to ${mailFolder(this.options.config)} and nobody receives them`,
      );
    this.relay.start();
    this.retention.start();
  }

  /** Lets the sends under way finish and records their outcome. */
  async stop(): Promise<void> {
    await Promise.all([this.retention.stop(), this.relay.stop()]);
  }
}
