import { defineModule } from '../../platform/module.js';
import { productsContract } from './contract.js';
import { productsRoutes } from './products.routes.js';
import { ProductsService } from './products.service.js';
import { productsSubscriptions } from './products.subscribers.js';

/** The catalog and its inventory: products, stock, reservations for orders. */
export const productsModule = defineModule({
  name: 'products',
  publishes: productsContract,
  subscriptions: productsSubscriptions,
  async register(app, { database }) {
    await app.register(productsRoutes, { service: new ProductsService(database) });
  },
});
