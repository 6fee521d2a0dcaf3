import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { accountMailRoutes } from './account-mail.routes.js';
import type { EmailVerificationService } from './email-verification.service.js';
import type { PasswordResetService } from './password-reset.service.js';
import type { SessionsService } from './sessions.service.js';
import { TooManyAttemptsError } from './users.errors.js';
import { toUser } from './users.mapping.js';
import {
  AccessBody,
  LoginAnswer,
  LoginBody,
  PasswordChangeBody,
  ProfileBody,
  RefreshBody,
  RegisterBody,
  TokenPair,
  User,
  UserIdParams,
  UserPage,
  UsersQuery,
} from './users.schemas.js';
import type { UsersService } from './users.service.js';

const tags = ['users'];
const security = [{ bearer: [] }];
const NoContent = Type.Null({ description: 'No content' });
/** Anyone may call these, and they answer tokens or a user: never cached (platform/http/caching.ts). */
const personal = { personal: true };

export async function usersRoutes(
  scope: FastifyInstance,
  {
    users,
    sessions,
    resets,
    verifications,
  }: {
    users: UsersService;
    sessions: SessionsService;
    resets: PasswordResetService;
    verifications: EmailVerificationService;
  },
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof TooManyAttemptsError) reply.header('retry-after', String(error.retryAfterSeconds));
  });
  await app.register(accountMailRoutes, { resets, verifications });

  app.post(
    '/register',
    {
      config: personal,
      schema: { tags, body: RegisterBody, response: { 201: User, ...problemResponses(400, 409) } },
    },
    async (request, reply) => reply.status(201).send(toUser(await users.register(request.body))),
  );

  app.post(
    '/login',
    {
      config: personal,
      schema: { tags, body: LoginBody, response: { 200: LoginAnswer, ...problemResponses(400, 401, 429) } },
    },
    async (request) => {
      const { user, ...tokens } = await sessions.login(request.body, request.ip);
      return { ...tokens, user: toUser(user) };
    },
  );

  app.post(
    '/token/refresh',
    {
      config: personal,
      schema: { tags, body: RefreshBody, response: { 200: TokenPair, ...problemResponses(400, 401) } },
    },
    async (request) => sessions.refresh(request.body.refresh),
  );

  app.post(
    '/logout',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        body: RefreshBody,
        response: { 204: NoContent, ...problemResponses(400, 401) },
      },
    },
    async (request, reply) => {
      await sessions.logout(request.principal.id, request.body.refresh);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      onRequest: app.authenticate,
      schema: { tags, security, response: { 200: User, ...problemResponses(401, 404) } },
    },
    async (request) => toUser(await users.get(request.principal.id)),
  );

  app.patch(
    '/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        body: ProfileBody,
        response: { 200: User, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => toUser(await users.updateProfile(request.principal.id, request.body)),
  );

  app.post(
    '/me/password',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        body: PasswordChangeBody,
        response: { 204: NoContent, ...problemResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      await users.changePassword(request.principal.id, request.body);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        security,
        querystring: UsersQuery,
        response: { 200: UserPage, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const window = pageWindow(request.query);
      const { count, rows } = await users.list(window);
      return toPage(request, window, count, rows.map(toUser));
    },
  );

  app.get(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        security,
        params: UserIdParams,
        response: { 200: User, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => toUser(await users.get(request.params.id)),
  );

  app.patch(
    '/:id',
    {
      onRequest: app.requireAdmin,
      schema: {
        tags,
        security,
        params: UserIdParams,
        body: AccessBody,
        response: { 200: User, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toUser(await users.updateAccess(request.principal.id, request.params.id, request.body)),
  );
}
