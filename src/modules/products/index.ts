import { defineModule } from '../../platform/module.js';
import { productsContract } from './contract.js';
import { productsRoutes } from './products.routes.js';
import { ProductsService } from './products.service.js';
import { productsSubscriptions } from './products.subscribers.js';

/** The catalog and its inventory: products, stock, reservations for orders. */
export const productsModule = defineModule({
  name: 'products',
  description:
    'The catalog and its inventory: anyone may search and read products; staff create, edit, delete them and adjust stock. Stock is reserved for orders through events.',
  publishes: productsContract,
  subscriptions: productsSubscriptions,
  async register(app, { database }) {
    await app.register(productsRoutes, { service: new ProductsService(database) });
  },
});
