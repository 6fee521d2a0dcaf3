import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import { pageWindow, toPage } from '../../platform/http/paging.js';
import { accountMailRoutes } from './account-mail.routes.js';
import { addressesRoutes } from './addresses.routes.js';
import type { AddressesService } from './addresses.service.js';
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
    addresses,
  }: {
    users: UsersService;
    addresses: AddressesService;
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
  await app.register(addressesRoutes, { addresses });

  app.post(
    '/register',
    {
      config: personal,
      schema: {
        tags,
        summary: 'Register an account',
        description:
          'Anyone, no token. `username` is unique ignoring case (409 `USERS.USERNAME_TAKEN`), `email` is unique (409 `USERS.EMAIL_TAKEN`); a password that is easy to guess is a 400 `USERS.WEAK_PASSWORD` whose detail says why. Answers the user, never the password. Publishes `user.created`.',
        body: RegisterBody,
        response: { 201: User, ...problemResponses(400, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(toUser(await users.register(request.body))),
  );

  app.post(
    '/login',
    {
      config: personal,
      schema: {
        tags,
        summary: 'Sign in: access and refresh tokens',
        description:
          'Anyone, no token. Exactly one of `username` (which also takes an e-mail) and `email`, and `password`. A wrong password, an unknown user and an inactive account all get 401 `USERS.INVALID_CREDENTIALS`; too many failures get 429 `USERS.TOO_MANY_ATTEMPTS` with `Retry-After`.',
        body: LoginBody,
        response: { 200: LoginAnswer, ...problemResponses(400, 401, 429) },
      },
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
      schema: {
        tags,
        summary: 'Rotate a refresh token',
        description:
          'Anyone, no token. Answers a new access token and a new refresh token, which replaces the one sent; a used or unknown refresh token is a 401 `USERS.INVALID_REFRESH_TOKEN`, and reusing one revokes the whole session.',
        body: RefreshBody,
        response: { 200: TokenPair, ...problemResponses(400, 401) },
      },
    },
    async (request) => sessions.refresh(request.body.refresh),
  );

  app.post(
    '/logout',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Sign out: revoke a session',
        description:
          "A signed-in user (401 without a token). Revokes the session of the given refresh token; 204 even when the token is unknown or not the caller's.",
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
      schema: {
        tags,
        summary: 'Your account',
        description: 'A signed-in user. 404 `USERS.NOT_FOUND` only for a token whose user no longer exists.',
        response: { 200: User, ...problemResponses(401, 404) },
      },
    },
    async (request) => toUser(await users.get(request.principal.id)),
  );

  app.patch(
    '/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        summary: 'Change your profile',
        description:
          'A signed-in user. Changes only the fields given (`{}` answers the user unchanged); an e-mail another user has is a 409 `USERS.EMAIL_TAKEN`. Publishes `user.updated`.',
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
        summary: 'Change your password',
        description:
          'A signed-in user. A wrong `current_password` is a 400 `USERS.WRONG_PASSWORD`, a weak new one a 400 `USERS.WEAK_PASSWORD`; too many wrong attempts a 429. Revokes every refresh token of the user.',
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
        summary: 'List users',
        description:
          'Staff only (401 without a token, 403 for a customer). A page of every user, by id; paging parameters only.',
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
        summary: 'One user',
        description: 'Staff only. 404 `USERS.NOT_FOUND` for an unknown id.',
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
        summary: 'Grant or revoke staff, activate or deactivate',
        description:
          'Staff only. `is_active: false` ends every session of that user and refuses their logins and tokens; staff cannot deactivate or demote themselves (409 `USERS.SELF_LOCKOUT`). 404 `USERS.NOT_FOUND`.',
        params: UserIdParams,
        body: AccessBody,
        response: { 200: User, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      toUser(await users.updateAccess(request.principal.id, request.params.id, request.body)),
  );
}
