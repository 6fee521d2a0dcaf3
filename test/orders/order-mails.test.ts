import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/platform/db/database.js';
import { recordEvents } from '../../src/platform/events/outbox.js';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { buildTestApp, type TestApp } from '../helpers/test-app.js';
import { eventually } from '../platform/bus-contract.js';
import { type Headers, ShopClient } from '../saga/saga-client.js';
import { signUp } from '../users/users-client.js';

const HOUR = 3_600_000;

/**
 * The customer hears of their order by mail — confirmed, rejected (with the reason), cancelled
 * (with the reason) and shipped — from the order's own events, once each, at their current
 * address; through a real SMTP server.
 */
describe('order mails', () => {
  const smtp = new SmtpCatcher();
  let t: TestApp;
  let shop: ShopClient;
  let staff: Headers;
  let category: number;

  beforeAll(async () => {
    await smtp.start();
    t = await buildTestApp({
      config: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'shop@mascotas.test',
        MAIL_POLL_MS: 50,
        ORDER_PAYMENT_WINDOW_MINUTES: 60,
        ORDER_EXPIRY_CHECK_MS: 100,
      },
    });
    staff = await t.bearer({ id: 2_000_000, isStaff: true });
    shop = new ShopClient(t, staff);
    category = await shop.category('Fish');
  });
  afterAll(async () => {
    await t?.close();
    await smtp.stop();
  });

  /** The order mails to `address` (registration also sends a verification mail). */
  const mailsTo = (address: string) =>
    smtp.received.filter((mail) => mail.to.includes(address) && /order|pedido/i.test(mail.subject));

  async function customerWithOrder(stock: number, quantity: number) {
    const customer = await signUp(t);
    await t.settle();
    const product = await shop.product(category, `Tank ${customer.username}`, '30.00', stock);
    const placed = await shop.placeOrder(customer.headers, [{ product_id: product, quantity }]);
    expect(placed.statusCode).toBe(201);
    return { customer, orderId: placed.json().id as string };
  }

  it('when an order is confirmed, paid and shipped, then its customer gets the confirmed and the shipped mail, once each', async () => {
    const { customer, orderId } = await customerWithOrder(5, 2);
    await eventually(async () => mailsTo(customer.email).length === 1, 10_000);
    const [confirmed] = mailsTo(customer.email);
    expect(confirmed!.subject).toContain(orderId);
    expect(confirmed!.decoded).toContain('60.00');
    for (const status of ['paid', 'shipped']) {
      const moved = await shop.request('PATCH', `/api/orders/${orderId}/status`, staff, { status });
      expect(moved.statusCode).toBe(200);
    }
    await eventually(async () => mailsTo(customer.email).length === 2, 10_000);
    await t.settle();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const subjects = mailsTo(customer.email).map((mail) => mail.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects).toEqual([`Your order ${orderId} is confirmed`, `Your order ${orderId} is on its way`]);
  });

  it('when an order is rejected for want of stock, then the mail gives the reason', async () => {
    const { customer, orderId } = await customerWithOrder(1, 3);
    await eventually(async () => mailsTo(customer.email).length === 1, 10_000);
    const [rejected] = mailsTo(customer.email);
    expect(rejected!.subject).toContain(orderId);
    expect(rejected!.decoded).toMatch(/insufficient stock for product \d+/);
  });

  it('when the owner cancels, or the payment window runs out, then the cancelled mail says why', async () => {
    const cancelledByOwner = await customerWithOrder(4, 1);
    await eventually(async () => mailsTo(cancelledByOwner.customer.email).length === 1, 10_000);
    const cancel = await shop.request(
      'POST',
      `/api/orders/${cancelledByOwner.orderId}/cancel`,
      cancelledByOwner.customer.headers,
    );
    expect(cancel.statusCode).toBe(200);
    await eventually(async () => mailsTo(cancelledByOwner.customer.email).length === 2, 10_000);
    expect(mailsTo(cancelledByOwner.customer.email)[1]!.decoded).toContain('at your request or by the shop');

    const unpaid = await customerWithOrder(4, 1);
    await eventually(async () => mailsTo(unpaid.customer.email).length === 1, 10_000);
    await t.database.db.execute(
      sql`update orders.orders set updated_at = now() - ${`${2 * HOUR} milliseconds`}::interval where id = ${unpaid.orderId}`,
    );
    await eventually(async () => mailsTo(unpaid.customer.email).length === 2, 10_000);
    expect(mailsTo(unpaid.customer.email)[1]!.decoded).toContain('not paid within the time allowed');
  });

  it('when the customer writes Spanish, then the mail is in Spanish', async () => {
    const customer = await signUp(t, { locale: 'es-AR' });
    await t.settle();
    const product = await shop.product(category, 'Pecera', '12.00', 3);
    const placed = await shop.placeOrder(customer.headers, [{ product_id: product, quantity: 1 }]);
    await eventually(async () => mailsTo(customer.email).length === 1, 10_000);
    expect(mailsTo(customer.email)[0]!.subject).toContain(placed.json().id);
    expect(mailsTo(customer.email)[0]!.subject).toMatch(/pedido/i);
  });

  it('when the customer changed their e-mail, then the next mail goes to the new address', async () => {
    const { customer, orderId } = await customerWithOrder(5, 1);
    await eventually(async () => mailsTo(customer.email).length === 1, 10_000);
    const newEmail = `new.${customer.email}`;
    const patched = await shop.request('PATCH', '/api/users/me', customer.headers, { email: newEmail });
    expect(patched.statusCode).toBe(200);
    await t.settle();
    await shop.request('POST', `/api/orders/${orderId}/cancel`, customer.headers);
    await eventually(async () => mailsTo(newEmail).length === 1, 10_000);
    expect(mailsTo(customer.email)).toHaveLength(1);
  });

  it('when an order changes before orders knows its customer, then the mail waits and goes when the customer arrives', async () => {
    const userId = 1_500_000;
    const early = await t.bearer({ id: userId });
    const product = await shop.product(category, 'Early Filter', '5.00', 3);
    const placed = await shop.placeOrder(early, [{ product_id: product, quantity: 1 }]);
    await eventually(async () => (await shop.order(early, placed.json().id)).status === 'confirmed', 10_000);
    await t.settle();
    const waiting = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from orders.unsent_mails where user_id = ${userId}`,
    );
    expect(waiting[0]!.n).toBe(1);
    await recordEvents(t.database.db, [
      {
        exchange: 'user_events',
        routingKey: 'user.created',
        version: 1,
        payload: { user_id: userId, username: 'early', email: 'early@example.com', is_active: true },
      },
    ]);
    await t.settle();
    await eventually(async () => mailsTo('early@example.com').length === 1, 10_000);
    expect(mailsTo('early@example.com')[0]!.subject).toContain(placed.json().id);
  });
});
