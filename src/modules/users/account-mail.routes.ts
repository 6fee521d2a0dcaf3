import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses } from '../../platform/http/errors.js';
import type { PasswordResetService } from './password-reset.service.js';
import { MailRequested, PasswordResetBody, PasswordResetConfirmBody } from './users.schemas.js';

const tags = ['users'];
const NoContent = Type.Null({ description: 'No content' });
/** Tokens travel in these bodies: never cached (platform/http/caching.ts). */
const personal = { personal: true };
const RESET_REQUESTED =
  'If an account has this e-mail address, a mail with a link to choose a new password is on its way.';

/** Password reset (and e-mail verification): the routes whose tokens arrive by mail. */
export async function accountMailRoutes(
  scope: FastifyInstance,
  { resets }: { resets: PasswordResetService },
) {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/password/reset',
    {
      config: personal,
      schema: {
        tags,
        body: PasswordResetBody,
        response: { 202: MailRequested, ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await resets.request(request.body.email, request.ip);
      return reply.status(202).send({ detail: RESET_REQUESTED });
    },
  );

  app.post(
    '/password/reset/confirm',
    {
      config: personal,
      schema: {
        tags,
        body: PasswordResetConfirmBody,
        response: { 204: NoContent, ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await resets.confirm(request.body.token, request.body.new_password);
      return reply.status(204).send(null);
    },
  );
}
