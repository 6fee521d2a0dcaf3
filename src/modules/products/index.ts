import { VERSION_GUARDED } from '../../platform/events/inbox.js';
import type { ModuleDefinition } from '../../platform/module.js';
import { productsContract } from './contract.js';
import { productsRoutes } from './products.routes.js';
import { ProductsService } from './products.service.js';
import { onCategoryEvent, onOrderEvent, onReviewEvent } from './products.subscribers.js';

/** The catalog and its inventory: products, stock, reservations for orders. */
export const productsModule: ModuleDefinition = {
  name: 'products',
  publishes: productsContract,
  consumes: [
    { exchange: 'category_events', patterns: ['category.*'] },
    { exchange: 'review_events', patterns: ['review.*'] },
    { exchange: 'order_events', patterns: ['order.created', 'order.cancelled'] },
  ],
  async register(app, { database, handle }) {
    productsRoutes(app, new ProductsService(database));
    // The category references are upserts guarded by the category's version.
    handle('category_events', onCategoryEvent, VERSION_GUARDED);
    handle('review_events', onReviewEvent);
    handle('order_events', onOrderEvent);
  },
};
