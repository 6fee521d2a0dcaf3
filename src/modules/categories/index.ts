import type { ModuleDefinition } from '../../platform/module.js';

/** Not yet built: hosts no routes and consumes nothing until its issue lands. */
export const categoriesModule: ModuleDefinition = {
  name: 'categories',
  consumes: [],
  async register() {},
};
