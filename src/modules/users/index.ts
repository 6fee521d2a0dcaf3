import { defineModule } from '../../platform/module.js';
import { usersContract } from './contract.js';
import { startUsers } from './users.module.js';
import { usersRoutes } from './users.routes.js';
import { usersSubscriptions } from './users.subscribers.js';

/** Accounts, login with rotating refresh tokens, profiles and the admin's view of users. */
export const usersModule = defineModule({
  name: 'users',
  description:
    "Accounts and sign-in: registration, JWT access and refresh tokens, the signed-in user's profile, password and address book, and staff management of users.",
  publishes: usersContract,
  subscriptions: usersSubscriptions,
  async register(app, context) {
    await app.register(usersRoutes, await startUsers(app, context));
  },
});
