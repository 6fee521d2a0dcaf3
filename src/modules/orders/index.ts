import type { ModuleDefinition } from '../../platform/module.js';

/** Not yet built: hosts no routes and consumes nothing until its issue lands. */
export const ordersModule: ModuleDefinition = {
  name: 'orders',
  consumes: [],
  async register() {},
};
