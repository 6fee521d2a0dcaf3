import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listenText } from '../../src/platform/banner.js';
import { loadConfig } from '../../src/platform/config.js';
import { renderMail } from '../../src/platform/mail/mail-render.js';
import { FileTransport, type OutgoingMail } from '../../src/platform/mail/mail-transport.js';
import { TEST_JWT_SECRET } from '../helpers/test-config.js';

const base = { NODE_ENV: 'development', DATABASE_URL: 'memory://', JWT_SECRET: TEST_JWT_SECRET };
const configOf = (env: Record<string, string>) => loadConfig({ ...base, ...env });

describe('mail settings', () => {
  it('when no SMTP is configured, then development writes files, tests keep mails in memory', () => {
    expect(configOf({}).mailTransport).toBe('file');
    expect(configOf({ NODE_ENV: 'test' }).mailTransport).toBe('memory');
    expect(configOf({ SMTP_URL: 'smtp://mail.example:587' }).mailTransport).toBe('smtp');
    expect(configOf({ SMTP_HOST: 'mail.example' }).mailTransport).toBe('smtp');
    expect(configOf({ SMTP_HOST: 'mail.example', MAIL_TRANSPORT: 'file' }).mailTransport).toBe('file');
  });

  it.each([
    [{ SMTP_URL: 'http://mail.example' }, /SMTP_URL/],
    [{ SMTP_URL: 'smtp://a.example', SMTP_HOST: 'b.example' }, /SMTP_URL and SMTP_HOST: give one of them/],
    [{ SMTP_PORT: '2525' }, /SMTP_PORT needs SMTP_HOST/],
    [{ SMTP_HOST: 'mail.example', SMTP_USER: 'shop' }, /SMTP_USER and SMTP_PASSWORD: give both/],
    [{ SMTP_HOST: 'mail.example', SMTP_PORT: '70000' }, /SMTP_PORT/],
    [{ SMTP_HOST: 'mail.example', SMTP_SECURE: 'maybe' }, /SMTP_SECURE/],
    [{ MAIL_TRANSPORT: 'smtp' }, /MAIL_TRANSPORT=smtp needs SMTP_URL or SMTP_HOST/],
    [{ MAIL_TRANSPORT: 'pigeon' }, /MAIL_TRANSPORT/],
    [{ MAIL_FROM: 'not an address' }, /MAIL_FROM/],
    [{ MAIL_FROM: 'Shop <a@b.example>\r\nBcc: x@y.example' }, /MAIL_FROM/],
    [{ MAIL_MAX_ATTEMPTS: '0' }, /MAIL_MAX_ATTEMPTS/],
    [
      { MAIL_RETRY_DELAY_MS: '5000', MAIL_RETRY_MAX_DELAY_MS: '1000' },
      /MAIL_RETRY_MAX_DELAY_MS must be at least/,
    ],
  ])('when the mail settings are %j, then the start refuses, naming the variable', (env, message) => {
    expect(() => configOf(env)).toThrow(message);
  });

  it('when MAIL_TRANSPORT=memory in production, then the start refuses (mails would be lost)', () => {
    expect(() => configOf({ NODE_ENV: 'production', MAIL_TRANSPORT: 'memory' })).toThrow(
      /MAIL_TRANSPORT=memory keeps mails in the process/,
    );
  });

  it('when MAIL_FROM is a name and an address, or an address, then it is taken', () => {
    expect(configOf({ MAIL_FROM: 'Tienda Mascotas <hola@tienda.example>' }).MAIL_FROM).toBe(
      'Tienda Mascotas <hola@tienda.example>',
    );
    expect(configOf({ MAIL_FROM: 'hola@tienda.example' }).MAIL_FROM).toBe('hola@tienda.example');
  });
});

describe('where mails go, as the start banner says', () => {
  it('when no SMTP is configured, then the banner names the mail folder under DATA_DIR', () => {
    const text = listenText(
      configOf({ DATA_DIR: '/srv/shop-data', DATABASE_URL: '' }),
      'http://127.0.0.1:3000',
    );
    expect(text).toMatch(/^ {2}Mail {4}files in \/srv\/shop-data\/mail \(no SMTP configured\)$/m);
  });

  it('when SMTP is configured with credentials, then the banner names the server and never the password', () => {
    const text = listenText(configOf({ SMTP_URL: 'smtp://shop:s3cret@mail.example:2525' }), 'http://x');
    expect(text).toContain('Mail    SMTP at smtp://mail.example:2525');
    expect(text).not.toContain('s3cret');
    const byHost = listenText(
      configOf({ SMTP_HOST: 'mail.example', SMTP_USER: 'shop', SMTP_PASSWORD: 's3cret' }),
      'http://x',
    );
    expect(byHost).toContain('SMTP at smtp://mail.example:587');
    expect(listenText(configOf({ SMTP_HOST: 'mail.example', SMTP_PORT: '465' }), 'http://x')).toContain(
      'SMTP at smtps://mail.example:465',
    );
  });
});

describe('the development mail folder', () => {
  const folder = mkdtempSync(join(tmpdir(), 'mascotas-mail-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('when a mail is sent without SMTP, then an .eml and a readable .txt are written and the path is told', async () => {
    const written: string[] = [];
    const transport = new FileTransport(join(folder, 'mail'), (path) => written.push(path));
    const rendered = renderMail('password_reset', 'es', {
      name: 'Ana',
      link: 'https://shop.example/reset?token=a-very-long-token-that-would-be-folded-by-quoted-printable-encoding',
      expires_in_minutes: 30,
    });
    const mail: OutgoingMail = {
      id: 7,
      template: 'password_reset',
      from: 'Mascotas <no-reply@shop.example>',
      to: 'ana@shop.example',
      messageId: '<mail-7.1@shop.example>',
      ...rendered,
    };
    await transport.send(mail);

    const files = readdirSync(join(folder, 'mail')).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-7-password_reset\.eml$/);
    expect(files[1]).toBe(files[0]!.replace(/\.eml$/, '.txt'));
    expect(written).toEqual([join(folder, 'mail', files[1]!)]);
    const readable = readFileSync(written[0]!, 'utf8');
    expect(readable).toContain('To: ana@shop.example');
    expect(readable).toContain('Subject: Restablece tu contraseña de Mascotas');
    expect(readable).toContain(
      'https://shop.example/reset?token=a-very-long-token-that-would-be-folded-by-quoted-printable-encoding',
    );
    const eml = readFileSync(join(folder, 'mail', files[0]!), 'utf8');
    expect(eml).toContain('Message-ID: <mail-7.1@shop.example>');
    expect(eml).toMatch(/Content-Type: text\/html/);
  });
});
