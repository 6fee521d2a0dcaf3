import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { toAddress } from './addresses.mapping.js';
import {
  Address,
  AddressBody,
  AddressChangeBody,
  AddressesQuery,
  AddressPage,
  AddressParams,
  MAX_ADDRESSES,
} from './addresses.schemas.js';
import type { AddressesService } from './addresses.service.js';

const tags = ['users'];
const NoContent = Type.Null({ description: 'No content' });
const FIELDS =
  '`name`, `line1`, `city`, `postal_code` (required, not blank), `line2`, `region`, `phone` (optional, null or blank clears them) and `country` (ISO 3166-1 alpha-2, upper case); strings are trimmed, and every wrong field is listed in `errors`.';

/** The signed-in user's address book, under `/me/addresses`. */
export async function addressesRoutes(
  scope: FastifyInstance,
  { addresses }: { addresses: AddressesService },
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/me/addresses',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Your address book',
        description: `A signed-in user (401 without a token). A page of their own addresses: the default first, then by creation (at most ${MAX_ADDRESSES}, one page at the default size).`,
        querystring: AddressesQuery,
        response: { 200: AddressPage, ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { count, rows } = await addresses.list(request.principal.id, window);
      return toPage(request, window, count, rows.map(toAddress));
    },
  );

  app.post(
    '/me/addresses',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Add an address',
        description: `A signed-in user. ${FIELDS} 201 with \`Location\`. The first address is the default whatever \`is_default\` says; \`is_default: true\` makes the new one the default instead of the old. 409 \`USERS.ADDRESS_LIMIT\` past ${MAX_ADDRESSES} addresses. Publishes \`user.address_saved\`.`,
        body: AddressBody,
        response: { 201: Address, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const address = await addresses.create(request.principal.id, request.body);
      return reply
        .status(201)
        .header('location', `/api/users/me/addresses/${address.id}`)
        .send(toAddress(address));
    },
  );

  app.get(
    '/me/addresses/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'One address of your book',
        description:
          "A signed-in user. 404 `USERS.ADDRESS_NOT_FOUND` for an unknown id and for another user's address.",
        params: AddressParams,
        response: { 200: Address, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => toAddress(await addresses.get(request.principal.id, request.params.id)),
  );

  app.patch(
    '/me/addresses/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Change an address',
        description: `A signed-in user. Changes only the fields given (\`{}\` answers the address unchanged); ${FIELDS} \`is_default: true\` makes it the default (the old default stops being it); \`is_default: false\` on the default is a 409 \`USERS.DEFAULT_ADDRESS_REQUIRED\` (make another one the default instead). Orders already placed keep the copy they took. 404 \`USERS.ADDRESS_NOT_FOUND\`. Publishes \`user.address_saved\`.`,
        params: AddressParams,
        body: AddressChangeBody,
        response: { 200: Address, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) =>
      toAddress(await addresses.change(request.principal.id, request.params.id, request.body)),
  );

  app.delete(
    '/me/addresses/:id',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Delete an address',
        description:
          'A signed-in user. 204; deleting the default makes the most recently created remaining address the default (none when the book is empty). Orders already placed keep the copy they took. 404 `USERS.ADDRESS_NOT_FOUND`. Publishes `user.address_deleted` (and `user.address_saved` for a promoted default).',
        params: AddressParams,
        response: { 204: NoContent, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await addresses.remove(request.principal.id, request.params.id);
      return reply.status(204).send(null);
    },
  );
}
