/**
 * The mails the platform can send: each template's name with the data it needs, written in plain
 * text and HTML, in English and Spanish. A template returns words and links, never markup: the
 * renderer escapes every value it puts into the HTML, so data cannot inject any.
 */
export interface MailTemplates {
  password_reset: { name: string; link: string; expires_in_minutes: number };
  email_verification: { name: string; link: string };
  order_confirmed: { name: string; order_id: string; total: string; link?: string };
  order_rejected: { name: string; order_id: string; reason: string; link?: string };
  /** `reason`: `payment_timeout` (worded for people), or the words of whoever cancelled it. */
  order_cancelled: { name: string; order_id: string; reason: string; link?: string };
  order_shipped: { name: string; order_id: string; tracking_number?: string; link?: string };
}

export type MailTemplate = keyof MailTemplates;

export const MAIL_TEMPLATES = [
  'password_reset',
  'email_verification',
  'order_confirmed',
  'order_rejected',
  'order_cancelled',
  'order_shipped',
] as const satisfies readonly MailTemplate[];

export const MAIL_LOCALES = ['en', 'es'] as const;
export type MailLocale = (typeof MAIL_LOCALES)[number];

/** A paragraph of plain words, or a button-like link (http or https only). */
export type MailBlock = string | { link: string; label: string };

export interface MailContent {
  subject: string;
  blocks: readonly MailBlock[];
}

export type LocaleTemplates = { [T in MailTemplate]: (data: MailTemplates[T]) => MailContent };

/** A mail as a module asks for it: one of the templates, with that template's data. */
export type MailRequest = {
  [T in MailTemplate]: {
    to: string;
    template: T;
    /** The recipient's language (`es`, `es-AR`, `en-GB` …); anything else, or none, is English. */
    locale?: string | null | undefined;
    data: MailTemplates[T];
    /** Recording a second mail with the same key does nothing (e.g. `orders:confirmed:<order id>`). */
    key?: string | undefined;
  };
}[MailTemplate];

export function isMailTemplate(name: string): name is MailTemplate {
  return (MAIL_TEMPLATES as readonly string[]).includes(name);
}

/** The language of `locale` the templates have (its primary subtag), else English. */
export function mailLocaleOf(locale: string | null | undefined): MailLocale {
  const primary = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (MAIL_LOCALES as readonly string[]).includes(primary) ? (primary as MailLocale) : 'en';
}
