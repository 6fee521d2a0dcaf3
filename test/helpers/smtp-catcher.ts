import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A mail as the test's SMTP server received it. */
export interface CaughtMail {
  messageId: string;
  to: string[];
  subject: string;
  /** The whole message as sent (headers and MIME parts). */
  raw: string;
  /** The message with quoted-printable undone: what a reader sees of the text and HTML parts. */
  decoded: string;
}

/** Soft line breaks and `=XX` escapes of quoted-printable, undone (bytes read as UTF-8). */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let index = 0; index < joined.length; index++) {
    const escaped = /^=([0-9A-F]{2})/.exec(joined.slice(index, index + 3));
    if (escaped) {
      bytes.push(Number.parseInt(escaped[1]!, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(joined[index]!, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function header(raw: string, name: string): string {
  const match = new RegExp(`^${name}:\\s*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'im').exec(raw);
  return (match?.[1] ?? '').replace(/\r?\n[ \t]/g, ' ').trim();
}

/** `=?UTF-8?Q?…?=` words of a header, undone. */
function decodeHeader(value: string): string {
  return value.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_whole, encoding: string, text: string) =>
    encoding.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decodeQuotedPrintable(text.replaceAll('_', ' ')),
  );
}

/**
 * A real SMTP server on 127.0.0.1 for tests (smtp-server, plain SMTP, no login). `stop()` takes it
 * off the network (connections are refused) and `start()` brings it back on the same port;
 * `refuse` makes it answer every message with `550`, `delayMs` holds each message before answering.
 */
export class SmtpCatcher {
  readonly received: CaughtMail[] = [];
  refuse = false;
  delayMs = 0;
  private server: SMTPServer | undefined;
  private port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          setTimeout(() => {
            if (this.refuse) {
              const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
              callback(error);
              return;
            }
            const raw = Buffer.concat(chunks).toString('utf8');
            this.received.push({
              messageId: header(raw, 'Message-ID'),
              to: session.envelope.rcptTo.map((address) => address.address),
              subject: decodeHeader(header(raw, 'Subject')),
              raw,
              decoded: decodeQuotedPrintable(raw),
            });
            callback();
          }, this.delayMs);
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => {});
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Down: the port refuses connections until `start()`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolves once `count` mails have arrived; fails after `ms`. */
  async waitFor(count: number, ms = 10_000): Promise<CaughtMail[]> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} mail(s), the SMTP server received ${this.received.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.received;
  }
}
