import { defineModule } from '../../platform/module.js';
import { usersContract } from './contract.js';
import { registerUsersModule } from './users.module.js';
import { usersSubscriptions } from './users.subscribers.js';

/** Accounts, login with rotating refresh tokens, profiles and the admin's view of users. */
export const usersModule = defineModule({
  name: 'users',
  publishes: usersContract,
  subscriptions: usersSubscriptions,
  register: registerUsersModule,
});
