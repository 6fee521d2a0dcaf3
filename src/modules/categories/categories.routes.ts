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
const admin = { tags };

export async function categoriesRoutes(scope: FastifyInstance, { service }: { service: CategoriesService }) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    {
      schema: {
        tags,
        summary: 'List categories, by name',
        description:
          'Anyone, no token. A page of categories ordered by name; `?parent=<id>` lists the direct children of a category and `?parent=null` the top level. An unknown parameter is a 400.',
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

  app.get(
    '/tree',
    {
      schema: {
        tags,
        summary: 'The whole category tree',
        description:
          'Anyone, no token. Every category, nested: each with its `children`, top-level categories first.',
        response: { 200: CategoryTree },
      },
    },
    async () => (await service.tree()).map(presentTree),
  );

  app.get(
    '/:id',
    {
      schema: {
        tags,
        summary: 'One category',
        description: 'Anyone, no token. 404 `CATEGORIES.NOT_FOUND` if it does not exist.',
        params: IdParams,
        response: { 200: CategoryResponse, ...problemResponses(400, 404) },
      },
    },
    async (request) => presentCategory(await service.get(request.params.id)),
  );

  app.post(
    '/',
    {
      onRequest: app.requireAdmin,
      schema: {
        ...admin,
        summary: 'Create a category',
        description:
          'Staff only (401 without a token, 403 for a customer). `name` is unique ignoring case (409 `CATEGORIES.DUPLICATE_NAME`); `parent_id` must be an existing category (400 `CATEGORIES.UNKNOWN_PARENT`) or null for the top level. The slug is made from the name. Publishes `category.created`.',
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
        summary: 'Replace a category',
        description:
          'Staff only. A missing `description` becomes "" and a missing `parent_id` makes it top-level. 404 `CATEGORIES.NOT_FOUND`, 400 `CATEGORIES.UNKNOWN_PARENT`, 409 `CATEGORIES.DUPLICATE_NAME` or `CATEGORIES.CYCLE` (a parent below itself). The slug is kept. Publishes `category.updated`.',
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
        summary: 'Rename or move a category',
        description:
          'Staff only. Changes only the fields given. 404 `CATEGORIES.NOT_FOUND`, 400 `CATEGORIES.UNKNOWN_PARENT`, 409 `CATEGORIES.DUPLICATE_NAME` or `CATEGORIES.CYCLE`. Publishes `category.updated`.',
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
        summary: 'Delete a category',
        description:
          'Staff only. Refused with 409 `CATEGORIES.HAS_PRODUCTS` while products are filed directly under it and 409 `CATEGORIES.HAS_CHILDREN` while it has sub-categories; 404 `CATEGORIES.NOT_FOUND`. Publishes `category.deleted`.',
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
