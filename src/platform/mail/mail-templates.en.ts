import type { LocaleTemplates } from './mail-templates.js';

/** Cancellation reasons the system writes itself, worded for the customer. */
const CANCELLATION_REASONS: Record<string, string> = {
  payment_timeout: 'it was not paid within the time allowed for payment, so the items were put back on sale',
  requested: 'it was cancelled at your request or by the shop',
};

const greeting = (name: string) => `Hello ${name},`;
const SIGNATURE = 'The Mascotas team';
const orderLink = (link: string | undefined) => (link ? [{ link, label: 'See your order' }] : []);

export const ENGLISH: LocaleTemplates = {
  password_reset: (data) => ({
    subject: 'Reset your Mascotas password',
    blocks: [
      greeting(data.name),
      'Someone asked to reset the password of your Mascotas account. To choose a new one, open this link:',
      { link: data.link, label: 'Choose a new password' },
      `The link works once, for ${data.expires_in_minutes} minutes. If you did not ask for it, ignore this mail: your password stays as it is.`,
      SIGNATURE,
    ],
  }),
  email_verification: (data) => ({
    subject: 'Confirm your e-mail address',
    blocks: [
      greeting(data.name),
      'Please confirm that this is your e-mail address by opening this link:',
      { link: data.link, label: 'Confirm my e-mail address' },
      'If you did not create a Mascotas account, ignore this mail.',
      SIGNATURE,
    ],
  }),
  order_confirmed: (data) => ({
    subject: `Your order ${data.order_id} is confirmed`,
    blocks: [
      greeting(data.name),
      `Good news: your order ${data.order_id} is confirmed and its items are reserved for you.`,
      `Total: ${data.total}`,
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_rejected: (data) => ({
    subject: `Your order ${data.order_id} could not be accepted`,
    blocks: [
      greeting(data.name),
      `We are sorry: your order ${data.order_id} could not be accepted.`,
      `Reason: ${data.reason}`,
      'Nothing was charged. You are welcome to place the order again.',
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_cancelled: (data) => ({
    subject: `Your order ${data.order_id} was cancelled`,
    blocks: [
      greeting(data.name),
      `Your order ${data.order_id} was cancelled.`,
      `Reason: ${CANCELLATION_REASONS[data.reason] ?? data.reason}`,
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
  order_shipped: (data) => ({
    subject: `Your order ${data.order_id} is on its way`,
    blocks: [
      greeting(data.name),
      `Your order ${data.order_id} has been shipped.`,
      ...(data.tracking_number ? [`Tracking number: ${data.tracking_number}`] : []),
      ...orderLink(data.link),
      SIGNATURE,
    ],
  }),
};
