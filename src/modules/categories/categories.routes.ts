import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { presentCategory, presentTree } from './categories.mapping.js';
import {
  CategoryBody,
  CategoryListQuery,
  CategoryPage,
  CategoryPatch,
  CategoryResponse,
  CategoryTree,
  IdParams,
} from './categories.schemas.js';
import type { CategoriesService } from './categories.service.js';

const tags = ['categories'];
const admin = { tags, security: [{ bearer: [] }] };

export async function categoriesRoutes(scope: FastifyInstance, { service }: { service: CategoriesService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        tags,
        querystring: CategoryListQuery,
        response: { 200: CategoryPage, ...problemResponses(400) },
      },
    },
    async (request) => {
      const { parent } = request.query;
      const window = pageWindow(request.query);
      const { count, rows } = await service.list(parent === 'null' ? null : parent, window);
      return toPage(request, window, count, rows.map(presentCategory));
    },
  );

  app.get('/tree', { schema: { tags, response: { 200: CategoryTree } } }, async () =>
    (await service.tree()).map(presentTree),
  );

  app.get(
    '/:id',
    {
      schema: { tags, params: IdParams, response: { 200: CategoryResponse, ...problemResponses(400, 404) } },
    },
    async (request) => presentCategory(await service.get(request.params.id)),
  );

  app.post(
    '/',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        body: CategoryBody,
        response: { 201: CategoryResponse, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const { name, description, parent_id } = request.body;
      const category = await service.create({ name, description, parentId: parent_id });
      return reply.status(201).send(presentCategory(category));
    },
  );

  app.put(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        body: CategoryBody,
        response: { 200: CategoryResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { name, description, parent_id } = request.body;
      const category = await service.replace(request.params.id, { name, description, parentId: parent_id });
      return presentCategory(category);
    },
  );

  app.patch(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        body: CategoryPatch,
        response: { 200: CategoryResponse, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { name, description, parent_id } = request.body;
      const category = await service.update(request.params.id, { name, description, parentId: parent_id });
      return presentCategory(category);
    },
  );

  app.delete(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await service.remove(request.params.id);
      return reply.status(204).send(null);
    },
  );
}
