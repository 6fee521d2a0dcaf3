import { defineModule } from '../../platform/module.js';
import { cartRoutes } from './cart.routes.js';
import { CartService } from './cart.service.js';
import { cartSubscriptions } from './cart.subscribers.js';
import { cartContract } from './contract.js';

/** One cart per user, priced from its own read model of the catalog; checkout hands over to orders. */
export const cartModule = defineModule({
  name: 'cart',
  publishes: cartContract,
  subscriptions: cartSubscriptions,
  async register(app, { database }) {
    await app.register(cartRoutes, { service: new CartService(database) });
  },
});
