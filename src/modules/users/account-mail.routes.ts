import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { problemResponses, refuseBody } from '../../platform/http/errors.js';
import type { EmailVerificationService } from './email-verification.service.js';
import type { PasswordResetService } from './password-reset.service.js';
import {
  EmailVerifyBody,
  MailRequested,
  PasswordResetBody,
  PasswordResetConfirmBody,
} from './users.schemas.js';

const tags = ['users'];
const security = [{ bearer: [] }];
const NoContent = Type.Null({ description: 'No content' });
/** Tokens travel in these bodies: never cached (platform/http/caching.ts). */
const personal = { personal: true };
const RESET_REQUESTED =
  'If an account has this e-mail address, a mail with a link to choose a new password is on its way.';

const VERIFICATION_REQUESTED = 'A mail with a link to verify your e-mail address is on its way.';

/** Password reset and e-mail verification: the routes whose tokens arrive by mail. */
export async function accountMailRoutes(
  scope: FastifyInstance,
  { resets, verifications }: { resets: PasswordResetService; verifications: EmailVerificationService },
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

  app.post(
    '/me/email/verification',
    {
      onRequest: app.authenticate,
      schema: {
        tags,
        security,
        response: { 202: MailRequested, ...problemResponses(400, 401, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      refuseBody(request.body, 'This request takes no body');
      await verifications.request(request.principal.id);
      return reply.status(202).send({ detail: VERIFICATION_REQUESTED });
    },
  );

  app.post(
    '/email/verify',
    {
      config: personal,
      schema: { tags, body: EmailVerifyBody, response: { 204: NoContent, ...problemResponses(400) } },
    },
    async (request, reply) => {
      await verifications.verify(request.body.token);
      return reply.status(204).send(null);
    },
  );
}
