import type { ModuleDefinition } from '../../platform/module.js';
import { usersContract } from './contract.js';
import { registerUsersModule } from './users.module.js';

/** Accounts, login with rotating refresh tokens, profiles and the admin's view of users. */
export const usersModule: ModuleDefinition = {
  name: 'users',
  publishes: usersContract,
  consumes: [],
  register: registerUsersModule,
};
