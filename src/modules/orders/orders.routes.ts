import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses, refuseBody } from '../../platform/http/errors.js';
import { IdempotencyHeaders } from '../../platform/http/idempotency.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { ListQuery, Order, OrderPage, OrderParams, PlaceOrderBody, StatusBody } from './orders.schemas.js';
import type { OrdersService } from './orders.service.js';

const common = { tags: ['orders'], security: [{ bearer: [] }] };

export async function ordersRoutes(scope: FastifyInstance, { service }: { service: OrdersService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Place an order',
        description:
          'Answers 201 with the order in `pending`; it becomes `confirmed` or `rejected` once products has tried to reserve its stock. A retry with the same Idempotency-Key answers the first response again.',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: Order, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const answer = await service.place(request.principal, request.body, request.headers['idempotency-key']);
      return reply.status(answer.status).send(answer.body);
    },
  );

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Your orders, newest first (staff: everyone’s)',
        querystring: ListQuery,
        response: { 200: OrderPage, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const page = await service.list(request.principal, request.query.status, window);
      return toPage(request, window, page.count, page.results);
    },
  );

  app.get(
    '/:id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'One of your orders (staff: any)',
        params: OrderParams,
        response: { 200: Order, ...problemResponses(401, 404) },
      },
    },
    async (request) => service.get(request.principal, request.params.id),
  );

  app.post(
    '/:id/cancel',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Cancel an order that is pending, confirmed or paid',
        params: OrderParams,
        response: { 200: Order, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      refuseBody(request.body, 'This request takes no body');
      return service.cancel(request.principal, request.params.id);
    },
  );

  app.patch(
    '/:id/status',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...common,
        summary: 'Move an order along its states (staff)',
        description:
          'confirmed → paid → shipped → delivered, and pending|confirmed|paid → cancelled. `confirmed` and `rejected` are set only by the stock reservation (409 here).',
        params: OrderParams,
        body: StatusBody,
        response: { 200: Order, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.setStatus(request.principal, request.params.id, request.body.status),
  );
}
