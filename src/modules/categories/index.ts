import { VERSION_GUARDED } from '../../platform/events/inbox.js';
import type { ModuleDefinition } from '../../platform/module.js';
import { categoriesRoutes } from './categories.routes.js';
import { CategoriesService } from './categories.service.js';
import { onProductEvent } from './categories.subscribers.js';
import { categoriesContract } from './contract.js';

/** The taxonomy: categories and their tree; counts products from the catalog's events. */
export const categoriesModule: ModuleDefinition = {
  name: 'categories',
  publishes: categoriesContract,
  consumes: [{ exchange: 'product_events', patterns: ['product.*'] }],
  async register(app, { database, handle }) {
    categoriesRoutes(app, new CategoriesService(database));
    // Counts move under the product reference's version, in a transaction of the handler's own.
    handle('product_events', onProductEvent, VERSION_GUARDED);
  },
};
