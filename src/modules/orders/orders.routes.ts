import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses, refuseBody } from '../../platform/http/errors.js';
import { IdempotencyHeaders } from '../../platform/http/idempotency.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { ListQuery, Order, OrderPage, OrderParams, PlaceOrderBody, StatusBody } from './orders.schemas.js';
import type { OrdersService } from './orders.service.js';

const common = { tags: ['orders'] };

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
          'A signed-in user (401 without a token). Answers 201 with the order in `pending`; it becomes `confirmed` or `rejected` once products has tried to reserve its stock. `address_id` names an address of your address book to ship to; without it the order ships to your default address, or has none (`shipping_address: null`) when the book is empty; the order keeps a copy that later edits do not change. 400 `ORDERS.UNKNOWN_PRODUCT` (naming every such line) or `ORDERS.DUPLICATE_PRODUCT`; 404 `ORDERS.ADDRESS_NOT_FOUND` for an address that is not yours. A retry with the same Idempotency-Key answers the first response again; the key reused for another body is a 409 `IDEMPOTENCY.KEY_REUSED`.',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: Order, ...problemResponses(400, 401, 404, 409) },
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
        description:
          "A signed-in user: a page of their own orders, newest first; staff see everyone's. `?status=` filters on one status (an unknown one is a 400).",
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
        description:
          "Its owner or staff. 404 `ORDERS.NOT_FOUND` for an unknown id and for someone else's order.",
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
        description:
          'Its owner or staff; takes no body. The order becomes `cancelled` and its reserved stock goes back. 404 `ORDERS.NOT_FOUND`; 409 `ORDERS.INVALID_TRANSITION` from any other status.',
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
          'Staff only (401 without a token, 403 for a customer). confirmed → paid → shipped → delivered, and pending|confirmed|paid → cancelled. `confirmed` and `rejected` are set only by the stock reservation (409 here); any other move is a 409 `ORDERS.INVALID_TRANSITION`. 404 `ORDERS.NOT_FOUND`.',
        params: OrderParams,
        body: StatusBody,
        response: { 200: Order, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => service.setStatus(request.principal, request.params.id, request.body.status),
  );
}
