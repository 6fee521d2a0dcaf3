import { defineModule } from '../../platform/module.js';
import { ordersContract } from './contract.js';
import { watchUnpaidOrders } from './orders.expiry.js';
import { ordersRoutes } from './orders.routes.js';
import { OrdersService } from './orders.service.js';
import { ordersSubscriptions } from './orders.subscribers.js';

/** Orders priced from its own read model of products; stock answers from products move them on. */
export const ordersModule = defineModule({
  name: 'orders',
  description: 'Orders and their states: customers place, read and cancel theirs; staff see and move all.',
  publishes: ordersContract,
  subscriptions: ordersSubscriptions,
  async register(app, { database, config, logger }) {
    await app.register(ordersRoutes, { service: new OrdersService(database) });
    const windowMinutes = config.ORDER_PAYMENT_WINDOW_MINUTES;
    if (windowMinutes > 0)
      watchUnpaidOrders(app, { database, logger, windowMinutes, checkEveryMs: config.ORDER_EXPIRY_CHECK_MS });
  },
});
