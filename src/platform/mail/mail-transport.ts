import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Config } from '../config.js';

/** A rendered mail, ready for a transport. */
export interface OutgoingMail {
  /** The outbox row's id (file names). */
  id: number;
  template: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable for the row: a second copy after a crash is recognisably the same mail. */
  messageId: string;
}

export interface MailTransport {
  readonly kind: 'smtp' | 'file' | 'memory';
  /** Where mails go, for the start banner and logs (never with credentials). */
  readonly destination: string;
  /** Resolves once the server (or the file system) has taken the mail. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

const message = (mail: OutgoingMail) => ({
  from: mail.from,
  to: mail.to,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  messageId: mail.messageId,
});

/** SMTP settings from the configuration; every wait is bounded so that a claim's lease outlasts a send. */
function smtpOptions(config: Config) {
  const timeouts = {
    connectionTimeout: config.MAIL_SEND_TIMEOUT_MS,
    greetingTimeout: config.MAIL_SEND_TIMEOUT_MS,
    socketTimeout: config.MAIL_SEND_TIMEOUT_MS,
    dnsTimeout: config.MAIL_SEND_TIMEOUT_MS,
  };
  if (config.SMTP_URL) return { url: config.SMTP_URL, ...timeouts };
  const server = smtpServer(config);
  return {
    ...server,
    ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } } : {}),
    ...timeouts,
  };
}

/** SMTP_HOST's server: port 587 (STARTTLS when offered), or 465 with TLS from the start. */
function smtpServer(config: Config) {
  const secure = config.SMTP_SECURE ?? config.SMTP_PORT === 465;
  return { host: config.SMTP_HOST, port: config.SMTP_PORT ?? (secure ? 465 : 587), secure };
}

function smtpDestination(config: Config): string {
  if (config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    return `SMTP at ${url.protocol}//${url.host}`;
  }
  const server = smtpServer(config);
  return `SMTP at ${server.secure ? 'smtps' : 'smtp'}://${server.host}:${server.port}`;
}

/**
 * nodemailer, loaded with the first mail: it holds ~5 MB of heap once imported, which a process
 * that sends no mail (a catalog replica, a quiet hour) need not carry.
 */
let nodemailer: Promise<typeof import('nodemailer')> | undefined;
const loadNodemailer = () => {
  nodemailer ??= import('nodemailer');
  return nodemailer;
};

export class SmtpTransport implements MailTransport {
  readonly kind = 'smtp';
  readonly destination: string;
  private transporter: Promise<Transporter> | undefined;

  constructor(private readonly config: Config) {
    this.destination = smtpDestination(config);
  }

  async send(mail: OutgoingMail): Promise<void> {
    this.transporter ??= loadNodemailer().then(({ createTransport }) =>
      createTransport(smtpOptions(this.config)),
    );
    await (await this.transporter).sendMail(message(mail));
  }

  close(): void {
    void this.transporter?.then((transporter) => transporter.close());
  }
}

/** Where mails go in development without SMTP: `<DATA_DIR>/mail`. */
export const mailFolder = (config: Pick<Config, 'DATA_DIR'>) => resolve(config.DATA_DIR, 'mail');

/**
 * Development without SMTP: each mail becomes `<time>-<id>-<template>.eml` (the whole message, for
 * a mail client) and `.txt` (its headers and plain text, for a terminal), and `onWritten` says where.
 */
export class FileTransport implements MailTransport {
  readonly kind = 'file';
  readonly destination: string;
  private composer: Promise<Transporter> | undefined;

  constructor(
    private readonly folder: string,
    private readonly onWritten: (path: string, mail: OutgoingMail) => void,
  ) {
    this.destination = `files in ${folder} (no SMTP configured)`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    this.composer ??= loadNodemailer().then(({ createTransport }) =>
      createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    );
    const info = await (await this.composer).sendMail(message(mail));
    await mkdir(this.folder, { recursive: true });
    const stamp = new Date()
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z');
    const base = join(this.folder, `${stamp}-${mail.id}-${mail.template}`);
    const readable = [
      `Message-ID: ${mail.messageId}`,
      `From: ${mail.from}`,
      `To: ${mail.to}`,
      `Subject: ${mail.subject}`,
      '',
      mail.text,
    ].join('\n');
    await writeFile(`${base}.eml`, info.message as Buffer);
    await writeFile(`${base}.txt`, readable);
    this.onWritten(`${base}.txt`, mail);
  }

  close(): void {}
}

/** Tests: mails are kept in the process, in the order sent. */
export class MemoryTransport implements MailTransport {
  readonly kind = 'memory';
  readonly destination = 'kept in memory (tests)';
  readonly sent: OutgoingMail[] = [];

  async send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
  }

  close(): void {}
}

export function createMailTransport(
  config: Config,
  onWritten: (path: string, mail: OutgoingMail) => void,
): MailTransport {
  if (config.mailTransport === 'smtp') return new SmtpTransport(config);
  if (config.mailTransport === 'file') return new FileTransport(mailFolder(config), onWritten);
  return new MemoryTransport();
}

/** Where the configuration sends mails, for the start banner. */
export function mailDestination(config: Config): string {
  if (config.mailTransport === 'smtp') return smtpDestination(config);
  if (config.mailTransport === 'file') return `files in ${mailFolder(config)} (no SMTP configured)`;
  return 'kept in memory (tests)';
}
