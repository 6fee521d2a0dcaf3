import { describe, expect, it } from 'vitest';
import { SmtpCatcher } from '../helpers/smtp-catcher.js';
import { buildTestApp } from '../helpers/test-app.js';
import { eventually } from '../platform/bus-contract.js';
import { useAppOnRabbitMq } from '../rabbitmq/rabbit-app.js';
import { ShopClient } from '../saga/saga-client.js';
import { signUp } from '../users/users-client.js';

/** The order mails on the RabbitMQ bus: the customer's copy and the order's events cross the broker. */
describe('order mails over RabbitMQ', () => {
  const smtp = new SmtpCatcher();
  const on = useAppOnRabbitMq(
    ({ testDatabase, config }) =>
      buildTestApp({
        testDatabase,
        config: { ...config, SMTP_URL: smtp.url, MAIL_FROM: 'shop@mascotas.test', MAIL_POLL_MS: 50 },
      }),
    smtp,
  );

  it('when a registered customer’s order is confirmed and then cancelled, then one mail of each arrives', async () => {
    const t = on.app;
    const staff = await t.bearer({ id: 3_000_000, isStaff: true });
    const shop = new ShopClient(t, staff);
    const customer = await signUp(t);
    const product = await shop.product(await shop.category('Reptiles'), 'Heat Lamp', '19.90', 4);
    const placed = await shop.placeOrder(customer.headers, [{ product_id: product, quantity: 2 }]);
    expect(placed.statusCode).toBe(201);
    const orderId: string = placed.json().id;
    const mails = () =>
      smtp.received.filter((mail) => mail.to.includes(customer.email) && /order/i.test(mail.subject));
    await eventually(async () => mails().length === 1, 20_000);
    const cancelled = await shop.request('POST', `/api/orders/${orderId}/cancel`, customer.headers);
    expect(cancelled.statusCode).toBe(200);
    await eventually(async () => mails().length === 2, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mails().map((mail) => mail.subject)).toEqual([
      `Your order ${orderId} is confirmed`,
      `Your order ${orderId} was cancelled`,
    ]);
  });
});
