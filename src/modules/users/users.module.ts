import type { FastifyInstance } from 'fastify';
import type { Config } from '../../platform/config.js';
import type { ModuleContext } from '../../platform/module.js';
import { AddressesService } from './addresses.service.js';
import { EmailVerificationService } from './email-verification.service.js';
import { PasswordResetService } from './password-reset.service.js';
import { SessionsService } from './sessions.service.js';
import { AttemptLimiter } from './users.limiter.js';
import type { LinkBase } from './users.links.js';
import { PasswordHasher } from './users.passwords.js';
import { UsersService } from './users.service.js';
import { UsersSweep } from './users.sweep.js';

/** Wires the module's services on the platform, sweeps what has ended (UsersSweep) and makes the first admin. */
export async function startUsers(
  app: FastifyInstance,
  context: ModuleContext,
): Promise<{
  users: UsersService;
  sessions: SessionsService;
  resets: PasswordResetService;
  verifications: EmailVerificationService;
  addresses: AddressesService;
}> {
  const { config, database, logger } = context;
  const mailLimiter = new AttemptLimiter({ database, windowSeconds: config.ACCOUNT_MAIL_WINDOW_SECONDS });
  const linkBase = linkBaseOf(app, config);
  const verifications = new EmailVerificationService({
    database,
    limiter: mailLimiter,
    maxPerUser: config.ACCOUNT_MAIL_MAX_PER_ACCOUNT,
    ttlMinutes: config.EMAIL_VERIFICATION_TTL_MINUTES,
    linkBase,
  });
  const hasher = new PasswordHasher({
    memoryCost: config.ARGON2_MEMORY_KIB,
    timeCost: config.ARGON2_TIME_COST,
  });
  const limiter = new AttemptLimiter({ database, windowSeconds: config.LOGIN_WINDOW_SECONDS });
  const users = new UsersService({
    database,
    hasher,
    limiter,
    logger,
    maxPasswordFailures: config.LOGIN_MAX_FAILURES,
    verification: verifications,
  });
  const sessions = new SessionsService({
    database,
    hasher,
    limiter,
    budgets: {
      perAccountAndAddress: config.LOGIN_MAX_FAILURES,
      perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
    },
    logger,
    refreshTtlSeconds: config.JWT_REFRESH_TTL_SECONDS,
    signAccessToken: (principal) => app.signAccessToken(principal),
  });
  const resets = new PasswordResetService({
    database,
    hasher,
    limiter: mailLimiter,
    limits: {
      perEmail: config.ACCOUNT_MAIL_MAX_PER_ACCOUNT,
      perAddress: config.ACCOUNT_MAIL_MAX_PER_ADDRESS,
    },
    ttlMinutes: config.PASSWORD_RESET_TTL_MINUTES,
    linkBase,
  });
  const sweep = new UsersSweep(database, logger);
  app.addHook('onReady', async () => sweep.start());
  app.addHook('onClose', async () => sweep.stop());

  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await users.bootstrapAdmin({
      email: config.ADMIN_EMAIL,
      password: config.ADMIN_PASSWORD,
      username: config.ADMIN_USERNAME,
    });
  } else if (config.ADMIN_EMAIL || config.ADMIN_PASSWORD) {
    logger.warn('ADMIN_EMAIL and ADMIN_PASSWORD must be set together; no bootstrap admin');
  }
  return { users, sessions, resets, verifications, addresses: new AddressesService(database) };
}

/**
 * Links in mails start at `PUBLIC_URL`; without it (development) at the address the server
 * listens at, as the banner shows it, never at a Host header a client sent.
 */
function linkBaseOf(app: FastifyInstance, config: Config): LinkBase {
  const configured = config.PUBLIC_URL?.replace(/\/+$/u, '');
  return () =>
    configured ?? (app.addresses().length > 0 ? app.listeningOrigin : `http://${config.HOST}:${config.PORT}`);
}
