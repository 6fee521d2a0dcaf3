import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { toReview, toReviewSummary } from './reviews.mapping.js';
import {
  CreateReviewBody,
  Review,
  ReviewListQuery,
  ReviewPage,
  ReviewParams,
  ReviewSummary,
  SummaryQuery,
  UpdateReviewBody,
} from './reviews.schemas.js';
import type { ReviewsService } from './reviews.service.js';

const tags = ['reviews'];

export async function reviewsRoutes(scope: FastifyInstance, { service }: { service: ReviewsService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List reviews of products that are not deleted',
        description:
          "Anyone, no token. A page of reviews, filtered by `?product=` and `?user=`, ordered by `ordering` (`-created_at` by default, `created_at`, `rating`, `-rating`; ties by id). A deleted product's reviews are not listed.",
        querystring: ReviewListQuery,
        response: { 200: ReviewPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const filter = { productId: request.query.product, userId: request.query.user };
      const { results, count } = await service.list(filter, request.query.ordering ?? '-created_at', window);
      return toPage(request, window, count, results.map(toReview));
    },
  );

  app.get(
    '/summary',
    {
      schema: {
        tags,
        summary: "A product's average rating, review count and rating distribution",
        description:
          'Anyone, no token. `?product=` is required (400 without it); 404 `REVIEWS.PRODUCT_NOT_FOUND` for a product the reviews module does not know or that was deleted. `average` is null without reviews.',
        querystring: SummaryQuery,
        response: { 200: ReviewSummary, ...problemResponses(400, 404) },
      },
    },
    async (request) => {
      return toReviewSummary(await service.summary(request.query.product));
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One review',
        description:
          'Anyone, no token. 404 `REVIEWS.NOT_FOUND` for an unknown review or one of a deleted product.',
        params: ReviewParams,
        response: { 200: Review, ...problemResponses(400, 404) },
      },
    },
    async (request) => toReview(await service.get(request.params.id)),
  );

  app.post(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Review a product (once per user and product)',
        description:
          'A signed-in user (401 without a token). 404 `REVIEWS.PRODUCT_NOT_FOUND` for an unknown or deleted product; 409 `REVIEWS.DUPLICATE` for a second review of the same product. `verified_purchase` says whether the author has an order of it. Publishes `review.created`.',
        body: CreateReviewBody,
        response: { 201: Review, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { product_id, ...content } = request.body;
      const review = await service.create(request.principal, { productId: product_id, ...content });
      return reply.status(201).send(toReview(review));
    },
  );

  app.patch(
    '/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Change your own review',
        description:
          'Its author only (403 `REVIEWS.NOT_AUTHOR` for anybody else, staff included). At least one field; 404 `REVIEWS.NOT_FOUND`. Publishes `review.updated`.',
        params: ReviewParams,
        body: UpdateReviewBody,
        response: { 200: Review, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => toReview(await service.update(request.principal, request.params.id, request.body)),
  );

  app.delete(
    '/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Delete a review (its author or an admin)',
        description:
          'Its author or staff (403 `REVIEWS.NOT_AUTHOR` otherwise); 404 `REVIEWS.NOT_FOUND`. Publishes `review.deleted`.',
        params: ReviewParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(request.principal, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
