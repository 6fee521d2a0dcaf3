import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../platform/module.js';
import { SessionsService } from './sessions.service.js';
import { AttemptLimiter } from './users.limiter.js';
import { PasswordHasher } from './users.passwords.js';
import { UsersService } from './users.service.js';

const SWEEP_INTERVAL_MS = 10 * 60 * 1000;

/** Wires the module's services on the platform, sweeps ended login windows and makes the first admin. */
export async function startUsers(
  app: FastifyInstance,
  context: ModuleContext,
): Promise<{ users: UsersService; sessions: SessionsService }> {
  const { config, database, logger } = context;
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
  sweepEndedWindows(app, limiter);

  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await users.bootstrapAdmin({
      email: config.ADMIN_EMAIL,
      password: config.ADMIN_PASSWORD,
      username: config.ADMIN_USERNAME,
    });
  } else if (config.ADMIN_EMAIL || config.ADMIN_PASSWORD) {
    logger.warn('ADMIN_EMAIL and ADMIN_PASSWORD must be set together; no bootstrap admin');
  }
  return { users, sessions };
}

/** Every replica deletes the ended login-attempt windows now and then (the table holds only live ones). */
function sweepEndedWindows(app: FastifyInstance, limiter: AttemptLimiter): void {
  const timer = setInterval(() => {
    limiter.sweep().catch((error: unknown) => app.log.warn({ err: error }, 'login attempts sweep failed'));
  }, SWEEP_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
