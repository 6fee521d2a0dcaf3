import type { ModuleDefinition } from '../../platform/module.js';
import { reviewsContract } from './contract.js';
import { reviewRoutes } from './reviews.routes.js';
import { createReviewsService } from './reviews.service.js';
import { CONSUMES, registerSubscribers } from './reviews.subscribers.js';

/** Reviews and ratings of products, with verified purchases known from order events. */
export const reviewsModule: ModuleDefinition = {
  name: 'reviews',
  publishes: reviewsContract,
  consumes: CONSUMES,
  async register(app, context) {
    registerSubscribers(context);
    await app.register(reviewRoutes, { service: createReviewsService(context.database) });
  },
};
