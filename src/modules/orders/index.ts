import { defineModule } from '../../platform/module.js';
import { ordersContract } from './contract.js';
import { ordersRoutes } from './orders.routes.js';
import { OrdersService } from './orders.service.js';
import { ordersSubscriptions } from './orders.subscribers.js';

/** Orders priced from its own read model of products; stock answers from products move them on. */
export const ordersModule = defineModule({
  name: 'orders',
  publishes: ordersContract,
  subscriptions: ordersSubscriptions,
  async register(app, { database }) {
    await app.register(ordersRoutes, { service: new OrdersService(database) });
  },
});
