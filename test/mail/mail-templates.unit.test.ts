import { describe, expect, it } from 'vitest';
import { escapeHtml, MailRenderError, renderMail } from '../../src/platform/mail/mail-render.js';
import { MAIL_TEMPLATES, type MailTemplates, mailLocaleOf } from '../../src/platform/mail/mail-templates.js';

const SAMPLES: MailTemplates = {
  password_reset: { name: 'Ana', link: 'https://shop.example/reset?token=t0k3n&x=1', expires_in_minutes: 30 },
  email_verification: { name: 'Ana', link: 'https://shop.example/verify?token=v3r1fy' },
  order_confirmed: {
    name: 'Ana',
    order_id: 'b5e1',
    total: '42.50',
    link: 'https://shop.example/orders/b5e1',
  },
  order_rejected: { name: 'Ana', order_id: 'b5e1', reason: 'not enough stock' },
  order_cancelled: { name: 'Ana', order_id: 'b5e1', reason: 'payment_timeout' },
  order_shipped: { name: 'Ana', order_id: 'b5e1', tracking_number: 'TRK-99' },
};

const render = <T extends keyof MailTemplates>(
  template: T,
  locale: string | null,
  data = SAMPLES[template],
) => renderMail(template, locale, data);

describe('mail templates', () => {
  it.each(
    MAIL_TEMPLATES.flatMap((template) => [
      [template, 'en'],
      [template, 'es'],
    ]),
  )(
    'when %s is rendered in %s, then it has a subject, a text part and an HTML part with the data',
    (template, locale) => {
      const mail = render(template, locale);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.text).toContain('Ana');
      expect(mail.html).toContain('Ana');
      expect(mail.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${locale}">`));
      if (template.startsWith('order_')) {
        expect(mail.subject).toContain('b5e1');
        expect(mail.text).toContain('b5e1');
      }
    },
  );

  it('when a mail is rendered in Spanish, then it reads in Spanish; in English, in English', () => {
    expect(render('order_shipped', 'es').subject).toBe('Tu pedido b5e1 está en camino');
    expect(render('order_shipped', 'en').subject).toBe('Your order b5e1 is on its way');
    expect(render('order_rejected', 'es').text).toContain('Motivo: not enough stock');
    expect(render('order_confirmed', 'es').text).toContain('Total: 42.50');
    expect(render('order_shipped', 'en').text).toContain('Tracking number: TRK-99');
  });

  it('when the locale is a regional tag, another language or none, then it falls back to its language or English', () => {
    expect(mailLocaleOf('es-AR')).toBe('es');
    expect(mailLocaleOf('ES_mx')).toBe('es');
    expect(mailLocaleOf('en-GB')).toBe('en');
    expect(mailLocaleOf('fr')).toBe('en');
    expect(mailLocaleOf('')).toBe('en');
    expect(mailLocaleOf(null)).toBe('en');
    expect(render('email_verification', 'de').subject).toBe('Confirm your e-mail address');
  });

  it('when an order is cancelled for payment_timeout, then the reason is worded for people, and any other reason shown as written', () => {
    expect(render('order_cancelled', 'en').text).toContain(
      'it was not paid within the time allowed for payment',
    );
    expect(render('order_cancelled', 'es').text).toContain('no se pagó dentro del plazo de pago');
    expect(render('order_cancelled', 'en').text).not.toContain('payment_timeout');
    const byCustomer = { ...SAMPLES.order_cancelled, reason: 'changed my mind' };
    expect(render('order_cancelled', 'es', byCustomer).text).toContain('Motivo: changed my mind');
  });

  it('when a link is rendered, then the text part holds it whole and the HTML part escapes it in the href', () => {
    const mail = render('password_reset', 'en');
    expect(mail.text).toContain('https://shop.example/reset?token=t0k3n&x=1');
    expect(mail.html).toContain('href="https://shop.example/reset?token=t0k3n&amp;x=1"');
    expect(mail.text).toContain('30 minutes');
  });

  it('when data holds markup, then every value is escaped in the HTML and kept as written in the text', () => {
    const hostile = '<script>alert("x")</script> & \'quotes\'';
    const mail = render('order_rejected', 'en', { name: hostile, order_id: '<b>1</b>', reason: hostile });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>1</b>');
    expect(mail.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;');
    expect(mail.html).toContain('<title>Your order &lt;b&gt;1&lt;/b&gt; could not be accepted</title>');
    expect(mail.text).toContain(hostile);
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('when a link is not http or https, then the mail is not rendered', () => {
    for (const link of ['javascript:alert(1)', 'data:text/html,hi', 'not a url'])
      expect(() => render('email_verification', 'en', { name: 'Ana', link })).toThrow(MailRenderError);
  });

  it('when data puts line breaks in a subject, then the subject stays one line', () => {
    const mail = render('order_shipped', 'en', { name: 'Ana', order_id: '1\r\nBcc: eve@evil.example' });
    expect(mail.subject).toBe('Your order 1 Bcc: eve@evil.example is on its way');
  });

  it('when the template is not one of the templates, then rendering says so', () => {
    expect(() => renderMail('welcome' as never, 'en', {} as never)).toThrow(/unknown mail template welcome/);
  });
});
