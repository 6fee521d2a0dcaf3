import type { ModuleDefinition } from '../../platform/module.js';

/** Not yet built: hosts no routes and consumes nothing until its issue lands. */
export const usersModule: ModuleDefinition = {
  name: 'users',
  consumes: [],
  async register() {},
};
