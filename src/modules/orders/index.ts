import type { ModuleDefinition } from '../../platform/module.js';
import { ordersContract } from './contract.js';
import { registerOrdersRoutes } from './orders.routes.js';
import { OrdersService } from './orders.service.js';
import { cartEventHandler, productEventHandler } from './orders.subscribers.js';

/** Orders priced from its own read model of products; stock answers from products move them on. */
export const ordersModule: ModuleDefinition = {
  name: 'orders',
  publishes: ordersContract,
  consumes: [
    { exchange: 'product_events', patterns: ['product.*', 'stock.*'] },
    { exchange: 'cart_events', patterns: ['cart.checked_out'] },
  ],
  async register(app, context) {
    const service = new OrdersService(context.database);
    // The product read model is guarded by the product's version; a stock answer moves an order
    // once, through the inbox.
    context.handle('product_events', productEventHandler(service), {
      versionGuarded: ({ routingKey }) => routingKey !== 'stock.reserved' && routingKey !== 'stock.rejected',
    });
    context.handle('cart_events', cartEventHandler(service));
    registerOrdersRoutes(app, service);
  },
};
