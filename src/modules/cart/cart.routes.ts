import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses, refuseBody } from '../../platform/http/errors.js';
import { IdempotencyHeaders } from '../../platform/http/idempotency.js';
import { AddItemBody, Cart, ChangeQuantityBody, CheckoutAnswer, ProductParams } from './cart.schemas.js';
import type { CartService } from './cart.service.js';

const common = { tags: ['cart'], security: [{ bearer: [] }] };

export async function cartRoutes(scope: FastifyInstance, { service }: { service: CartService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      onRequest: app.authenticate,
      schema: { ...common, summary: 'Your cart', response: { 200: Cart, ...problemResponses(401) } },
    },
    async (request) => service.view(request.principal.id),
  );

  app.post(
    '/items',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Add a product, or more of it, to your cart',
        body: AddItemBody,
        response: { 201: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.addItem(request.principal.id, request.body)),
  );

  app.patch(
    '/items/:product_id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Set the quantity of a line',
        params: ProductParams,
        body: ChangeQuantityBody,
        response: { 200: Cart, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      service.changeQuantity(request.principal.id, request.params.product_id, request.body.quantity),
  );

  app.delete(
    '/items/:product_id',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Remove a line',
        params: ProductParams,
        response: { 200: Cart, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => service.removeItem(request.principal.id, request.params.product_id),
  );

  app.delete(
    '/',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Empty your cart',
        response: { 204: Type.Null(), ...problemResponses(401) },
      },
    },
    async (request, reply) => {
      await service.clear(request.principal.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/checkout',
    {
      onRequest: app.authenticate,
      schema: {
        ...common,
        summary: 'Turn your cart into an order',
        description:
          'Empties the cart and answers at once; the order appears under /api/orders/{order_id} when the orders module has taken it.',
        headers: IdempotencyHeaders,
        response: { 202: CheckoutAnswer, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      refuseBody(request.body, 'Checkout takes no body');
      const answer = await service.checkout(request.principal.id, request.headers['idempotency-key']);
      return reply.status(answer.status).send(answer.body);
    },
  );
}
