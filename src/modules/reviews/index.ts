import { defineModule } from '../../platform/module.js';
import { reviewsContract } from './contract.js';
import { reviewsRoutes } from './reviews.routes.js';
import { createReviewsService } from './reviews.service.js';
import { reviewsSubscriptions } from './reviews.subscribers.js';

/** Reviews and ratings of products, with verified purchases known from order events. */
export const reviewsModule = defineModule({
  name: 'reviews',
  description:
    "Product reviews and ratings: anyone may read them and a product's rating summary; a signed-in customer reviews a product once, and edits or deletes their own review (staff may delete any).",
  publishes: reviewsContract,
  subscriptions: reviewsSubscriptions,
  async register(app, { database }) {
    await app.register(reviewsRoutes, { service: createReviewsService(database) });
  },
});
