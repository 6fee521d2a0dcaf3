import { defineModule } from '../../platform/module.js';
import { categoriesRoutes } from './categories.routes.js';
import { CategoriesService } from './categories.service.js';
import { categoriesSubscriptions } from './categories.subscribers.js';
import { categoriesContract } from './contract.js';

/** The taxonomy: categories and their tree; counts products from the catalog's events. */
export const categoriesModule = defineModule({
  name: 'categories',
  description:
    'The category tree of the catalog: anyone may read it, staff create, rename, move and delete categories (a category with children or products cannot be deleted).',
  publishes: categoriesContract,
  subscriptions: categoriesSubscriptions,
  async register(app, { database }) {
    await app.register(categoriesRoutes, { service: new CategoriesService(database) });
  },
});
