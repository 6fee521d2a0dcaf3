import { defineModule } from '../../platform/module.js';
import { cartRoutes } from './cart.routes.js';
import { CartService } from './cart.service.js';
import { cartSubscriptions } from './cart.subscribers.js';
import { cartContract } from './contract.js';

/** One cart per user, priced from its own read model of the catalog; checkout hands over to orders. */
export const cartModule = defineModule({
  name: 'cart',
  description:
    "The signed-in customer's cart: add, change and remove lines, and check out into an order (202 Accepted: the order is placed asynchronously).",
  publishes: cartContract,
  subscriptions: cartSubscriptions,
  async register(app, { database }) {
    await app.register(cartRoutes, { service: new CartService(database) });
  },
});
