import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { classifySendFailure } from '../../src/platform/mail/mail-failures.js';
import { MailRuntime } from '../../src/platform/mail/mail-runtime.js';
import { testConfig } from '../helpers/test-config.js';
import { usePlatformDatabase } from '../helpers/test-database.js';
import { eventually, recordIn, resetMail } from './mail-harness.js';

/** A logger that keeps its lines. */
function keptLogger() {
  const lines: { level: string; message: string; object: object }[] = [];
  const logger = {
    child: () => logger,
    ...Object.fromEntries(
      ['info', 'warn', 'error', 'debug', 'trace', 'fatal'].map((level) => [
        level,
        (object: object | string, message?: string) =>
          lines.push(
            typeof object === 'string'
              ? { level, message: object, object: {} }
              : { level, message: message ?? '', object },
          ),
      ]),
    ),
  };
  return { logger: logger as unknown as FastifyBaseLogger, lines };
}

describe('the mailer without SMTP', () => {
  const platform = usePlatformDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'mascotas-mail-runtime-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when no SMTP is configured, then a recorded mail becomes files under DATA_DIR/mail and a log line gives the path', async () => {
    const { logger, lines } = keptLogger();
    const config = testConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, MAIL_POLL_MS: 20 });
    const mail = new MailRuntime({ config, database: platform.database, logger });
    expect(mail.transport.kind).toBe('file');
    mail.start();
    try {
      await recordIn(platform.database, resetMail('ana@shop.example'));
      await eventually(() => lines.some((line) => line.message.includes('written to')), 'the log line');
    } finally {
      await mail.stop();
    }
    const files = readdirSync(join(dataDir, 'mail'));
    expect(files.filter((file) => file.endsWith('.eml'))).toHaveLength(1);
    const line = lines.find((entry) => entry.message.includes('written to'))!;
    const txt = files.find((file) => file.endsWith('.txt'))!;
    expect(line.message).toBe(
      `mail "Restablece tu contraseña de Mascotas" written to ${join(dataDir, 'mail', txt)}`,
    );
    expect(line.object).toMatchObject({ to: 'ana@shop.example', path: join(dataDir, 'mail', txt) });
  });

  it('when production starts without SMTP, then it warns where mails go', async () => {
    const { logger, lines } = keptLogger();
    // The production checks of JWT_SECRET are not this test's: the configuration a production start resolves to.
    const config = {
      ...testConfig({ DATA_DIR: dataDir, MAIL_POLL_MS: 20 }),
      NODE_ENV: 'production' as const,
      mailTransport: 'file' as const,
    };
    const mail = new MailRuntime({ config, database: platform.database, logger });
    mail.start();
    await mail.stop();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: `no SMTP configured (SMTP_URL or SMTP_HOST): mails are written to ${join(dataDir, 'mail')} and nobody receives them`,
      }),
    );
  });
});

describe('what a failed send means', () => {
  it.each([
    [{ code: 'ECONNECTION' }, 'unreachable'],
    [{ code: 'ESOCKET' }, 'unreachable'],
    [{ code: 'ETIMEDOUT' }, 'unreachable'],
    [{ code: 'EAUTH', responseCode: 535 }, 'unreachable'],
    [{ code: 'EENVELOPE', responseCode: 421 }, 'unreachable'],
    [{ code: 'EENVELOPE', responseCode: 550 }, 'refused'],
    [{ code: 'EMESSAGE', responseCode: 451 }, 'refused'],
    [{ code: 'EACCES' }, 'refused'],
  ])('when nodemailer fails with %j, then the mail is %s', (fields, kind) => {
    expect(classifySendFailure(Object.assign(new Error('failed'), fields))).toBe(kind);
  });
});
