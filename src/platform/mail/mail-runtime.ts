import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { type MailObserver, MailRelay } from './mail-relay.js';
import { createMailTransport, type MailTransport } from './mail-transport.js';

/** Mails claimed and sent together, each on its own SMTP connection. */
const BATCH_SIZE = 10;

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
  }

  start(): void {
    if (this.transport.kind === 'file' && this.options.config.NODE_ENV === 'production')
      this.options.logger.warn(
        `no SMTP configured (SMTP_URL or SMTP_HOST): mails are written to ${this.transport.destination}`,
      );
    this.relay.start();
  }

  /** Lets the sends under way finish and records their outcome. */
  stop(): Promise<void> {
    return this.relay.stop();
  }
}
