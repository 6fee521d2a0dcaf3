import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { presentProduct, toProductChange, toProductInput, toProductQuery } from './products.mapping.js';
import {
  IdParams,
  ProductBody,
  ProductListQuery,
  ProductPage,
  ProductPatch,
  ProductResponse,
  StockBody,
} from './products.schemas.js';
import type { ProductsService } from './products.service.js';

const tags = ['products'];
const admin = { tags, security: [{ bearer: [] }] };

export async function productsRoutes(scope: FastifyInstance, { service }: { service: ProductsService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        tags,
        querystring: ProductListQuery,
        response: { 200: ProductPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { count, rows } = await service.list(toProductQuery(request.query), window);
      return toPage(request, window, count, rows.map(presentProduct));
    },
  );

  app.get(
    '/:id',
    { schema: { tags, params: IdParams, response: { 200: ProductResponse, ...problemResponses(400, 404) } } },
    async (request) => presentProduct(await service.get(request.params.id)),
  );

  app.post(
    '/',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        body: ProductBody,
        response: { 201: ProductResponse, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const product = await service.create(toProductInput(request.body));
      return reply.status(201).send(presentProduct(product));
    },
  );

  app.put(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        body: ProductBody,
        response: { 200: ProductResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentProduct(await service.replace(request.params.id, toProductInput(request.body))),
  );

  app.patch(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        body: ProductPatch,
        response: { 200: ProductResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => presentProduct(await service.update(request.params.id, toProductChange(request.body))),
  );

  app.delete(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/:id/stock',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        body: StockBody,
        response: { 200: ProductResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentProduct(await service.adjustStock(request.params.id, request.body.delta)),
  );
}
