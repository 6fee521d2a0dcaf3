import type { Executor } from '../db/executor.js';
import { mailOutbox } from './mail.tables.js';
import { MailRenderError, renderMail } from './mail-render.js';
import type { MailRequest } from './mail-templates.js';

const ADDRESS = /^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$/;

/** Whether `to` is an address `recordMail` takes (a module may check before it promises a mail). */
export function isMailAddress(to: string): boolean {
  return ADDRESS.test(to);
}

/** Relays of this process, told when a transaction recorded a mail (they look after its commit). */
const recordedListeners = new Set<() => void>();

export function onMailRecorded(listener: () => void): () => void {
  recordedListeners.add(listener);
  return () => recordedListeners.delete(listener);
}

/**
 * Writes a mail in the caller's transaction, like `recordEvents`: nothing is sent unless that
 * transaction commits, and then the mail relay sends it once. With a `key`, a mail already recorded
 * under it (committed, or earlier in this transaction) makes this a no-op. The mail is rendered once
 * here, so that a bad template value fails the caller's change rather than the relay later.
 * Answers whether a row was written.
 */
export async function recordMail(tx: Executor, mail: MailRequest): Promise<boolean> {
  if (!isMailAddress(mail.to)) throw new MailRenderError(`not a mail address: ${JSON.stringify(mail.to)}`);
  renderMail(mail.template, mail.locale, mail.data);
  const rows = await tx
    .insert(mailOutbox)
    .values({
      key: mail.key ?? null,
      recipient: mail.to,
      template: mail.template,
      locale: mail.locale ?? 'en',
      data: mail.data as unknown as Record<string, unknown>,
    })
    .onConflictDoNothing({ target: mailOutbox.key })
    .returning({ id: mailOutbox.id });
  if (rows.length > 0) for (const listener of recordedListeners) listener();
  return rows.length > 0;
}
