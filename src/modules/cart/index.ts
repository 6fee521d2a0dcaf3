import { VERSION_GUARDED } from '../../platform/events/inbox.js';
import type { ModuleDefinition } from '../../platform/module.js';
import { registerCartRoutes } from './cart.routes.js';
import { CartService } from './cart.service.js';
import { onCategoryEvent, onProductEvent } from './cart.subscribers.js';
import { cartContract } from './contract.js';

/** One cart per user, priced from its own read model of the catalog; checkout hands over to orders. */
export const cartModule: ModuleDefinition = {
  name: 'cart',
  publishes: cartContract,
  consumes: [
    { exchange: 'product_events', patterns: ['product.*'] },
    { exchange: 'category_events', patterns: ['category.*'] },
  ],
  async register(app, context) {
    // Both read models are upserts guarded by the entity's version: a repeat changes nothing.
    context.handle('product_events', onProductEvent, VERSION_GUARDED);
    context.handle('category_events', onCategoryEvent, VERSION_GUARDED);
    registerCartRoutes(app, new CartService(context.database));
  },
};
