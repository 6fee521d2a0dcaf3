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
const admin = { tags };

export async function productsRoutes(scope: FastifyInstance, { service }: { service: ProductsService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        tags,
        querystring: ProductListQuery,
        summary: 'Search the catalog',
        description:
          'Anyone, no token. A page of the products that are not deleted, filtered by `category` (and every category below it), `animalType`, `search` (name and description, any case), `min_price`/`max_price` and `in_stock`, ordered by `ordering` (default `-created_at`). 400 `PRODUCTS.INVALID_PRICE_RANGE` when min_price is above max_price; an unknown parameter is a 400.',
        response: { 200: ProductPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { count, rows } = await service.list(toProductQuery(request.query), window);
      return toPage(request, window, count, rows);
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One product',
        description:
          'Anyone, no token. The product with its category name and rating; 404 `PRODUCTS.NOT_FOUND` if it does not exist or was deleted.',
        params: IdParams,
        response: { 200: ProductResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => service.get(request.params.id),
  );

  app.post(
    '/',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Create a product',
        description:
          'Staff only (401 without a token, 403 for a customer). `category` must be a category that exists, else 400 `PRODUCTS.UNKNOWN_CATEGORY`; `stock` defaults to 0 and `specifications` to `{}`. Publishes `product.created`.',
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
        summary: 'Replace a product',
        description:
          'Staff only. Replaces every field (missing `specifications` become `{}`); `stock` changes only when given. 404 `PRODUCTS.NOT_FOUND`, 400 `PRODUCTS.UNKNOWN_CATEGORY`. Publishes `product.updated` when something changed.',
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
        summary: 'Change some fields of a product',
        description:
          'Staff only. Changes only the fields given; an empty change publishes nothing. 404 `PRODUCTS.NOT_FOUND`, 400 `PRODUCTS.UNKNOWN_CATEGORY`. Publishes `product.updated` when something changed.',
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
        summary: 'Delete a product',
        description:
          'Staff only. Soft delete: the product answers 404 everywhere afterwards, carts show it unavailable, its reviews disappear and its id is never reused. 404 `PRODUCTS.NOT_FOUND`. Publishes `product.deleted`.',
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
        summary: 'Add to or take from the stock',
        description:
          'Staff only. Moves the stock by `delta`; 409 `PRODUCTS.INSUFFICIENT_STOCK` if it would go below 0 and 409 `PRODUCTS.STOCK_TOO_HIGH` above 2147483647. Orders take stock through their reservation, not through this route.',
        body: StockBody,
        response: { 200: ProductResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => presentProduct(await service.adjustStock(request.params.id, request.body.delta)),
  );
}
