import { ENGLISH } from './mail-templates.en.js';
import { SPANISH } from './mail-templates.es.js';
import {
  isMailTemplate,
  type LocaleTemplates,
  type MailBlock,
  type MailContent,
  type MailLocale,
  type MailTemplate,
  type MailTemplates,
  mailLocaleOf,
} from './mail-templates.js';

const TEMPLATES: Record<MailLocale, LocaleTemplates> = { en: ENGLISH, es: SPANISH };

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** A mail that cannot be rendered (an unknown template, a link that is not http or https). */
export class MailRenderError extends Error {
  override name = 'MailRenderError';
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

/** Only web links: a `javascript:` or `data:` URL in a mail would be an attack, not a link. */
function checkedLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new MailRenderError(`not a URL: ${JSON.stringify(link)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new MailRenderError(`a mail links only to http or https, not ${url.protocol}`);
  return url.href;
}

function textOf(blocks: readonly MailBlock[]): string {
  return `${blocks
    .map((block) => (typeof block === 'string' ? block : `${block.label}:\n${checkedLink(block.link)}`))
    .join('\n\n')}\n`;
}

function htmlOf(subject: string, blocks: readonly MailBlock[], locale: MailLocale): string {
  const body = blocks.map((block) => {
    if (typeof block === 'string') return `<p>${escapeHtml(block).replaceAll('\n', '<br>')}</p>`;
    const href = escapeHtml(checkedLink(block.link));
    return `<p><a href="${href}" style="display:inline-block;padding:10px 16px;background:#2f6f4f;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(block.label)}</a></p>\n<p style="font-size:12px;color:#555555">${href}</p>`;
  });
  return [
    '<!doctype html>',
    `<html lang="${locale}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;line-height:1.5;color:#222222">',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A subject is one header line: line breaks in data become spaces. */
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ').trim();

/** The subject, plain text and HTML of a mail, in the language of `locale` (English when there is none). */
export function renderMail<T extends MailTemplate>(
  template: T,
  locale: string | null | undefined,
  data: MailTemplates[T],
): RenderedMail {
  if (!isMailTemplate(template)) throw new MailRenderError(`unknown mail template ${String(template)}`);
  const language = mailLocaleOf(locale);
  const render = TEMPLATES[language][template] as (data: MailTemplates[T]) => MailContent;
  const content = render(data);
  const subject = oneLine(content.subject);
  return { subject, text: textOf(content.blocks), html: htmlOf(subject, content.blocks, language) };
}
