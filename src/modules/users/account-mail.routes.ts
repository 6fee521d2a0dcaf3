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
        summary: 'Ask for a password reset link',
        description:
          'Anyone. Answers 202 with the same body whether or not an account has the address (nothing tells them apart); for an active account a mail with a single-use link (valid PASSWORD_RESET_TTL_MINUTES) is sent, and older links stop working. Limited per e-mail as typed and per client address: 429 USERS.TOO_MANY_ATTEMPTS with Retry-After.',
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
        summary: 'Choose a new password with the link’s token',
        description:
          'Anyone holding the token from the mail. 204: the new password is set (same strength rules as registration: 400 USERS.WEAK_PASSWORD keeps the token usable), the token is used up and every refresh token of the user is revoked. An unknown, used, superseded or expired token is 400 USERS.INVALID_RESET_TOKEN.',
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
        summary: 'Send me a link to verify my e-mail address',
        description:
          'The signed-in user. Takes no body; 202 when a mail with a single-use link (valid EMAIL_VERIFICATION_TTL_MINUTES) is on its way, 409 USERS.EMAIL_ALREADY_VERIFIED when there is nothing to verify, 429 USERS.TOO_MANY_ATTEMPTS past the per-user limit.',
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
      schema: {
        tags,
        summary: 'Verify an e-mail address with the link’s token',
        description:
          'Anyone holding the token from the mail. 204: the address the link was sent to is verified (email_verified becomes true) and the token is used up. An unknown, used, expired token, or one for an address the user no longer has, is 400 USERS.INVALID_VERIFICATION_TOKEN.',
        body: EmailVerifyBody,
        response: { 204: NoContent, ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await verifications.verify(request.body.token);
      return reply.status(204).send(null);
    },
  );
}
