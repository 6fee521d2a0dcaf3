import fastifyJwt from '@fastify/jwt';
import { eq, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Database, Executor } from '../db/database.js';
import { preparedQuery } from '../db/prepared-query.js';
import { principals } from './auth.tables.js';
import { ForbiddenError, UnauthorizedError } from './errors.js';

export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'mascotas';
/** Who the access tokens are for: this API. A token without it, or for anyone else, is refused. */
export const JWT_AUDIENCE = 'mascotas-api';

export interface AccessClaims {
  sub: string;
  is_staff: boolean;
  type: 'access';
}

/** Who may call a route: anyone, a signed-in user, or staff. */
export type RouteAccess = 'public' | 'user' | 'admin';

export interface Principal {
  id: number;
  isStaff: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessClaims;
    user: AccessClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Route guard: a valid access token of an active user, else 401. Runs before the body is read. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Route guard: as `authenticate`, and the user is staff, else 403. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Signs a short-lived access token for the user. */
    signAccessToken(principal: Principal): string;
  }
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Set by the platform from the route's guard (`app.authenticate` / `app.requireAdmin`). */
    access?: RouteAccess;
  }
}

/** Written by the users module in the transaction that changes the user. */
export async function savePrincipal(
  tx: Executor,
  principal: Principal & { isActive: boolean },
): Promise<void> {
  const values = {
    userId: principal.id,
    isActive: principal.isActive,
    isStaff: principal.isStaff,
    updatedAt: new Date(),
  };
  await tx.insert(principals).values(values).onConflictDoUpdate({ target: principals.userId, set: values });
}

/** Read on every authenticated request: built once per connection. */
const findPrincipal = preparedQuery('platform.principal', (db) =>
  db
    .select()
    .from(principals)
    .where(eq(principals.userId, sql.placeholder('id')))
    .limit(1),
);

async function verifyPrincipal(database: Database, request: FastifyRequest): Promise<Principal> {
  let claims: AccessClaims;
  try {
    claims = await request.jwtVerify<AccessClaims>();
  } catch {
    throw new UnauthorizedError('The access token is missing, invalid or expired');
  }
  const id = Number(claims.sub);
  if (claims.type !== 'access' || !Number.isSafeInteger(id))
    throw new UnauthorizedError('Not an access token');
  const [row] = await findPrincipal(database.db, { id });
  if (!row?.isActive) throw new UnauthorizedError('The account is not active');
  return { id, isStaff: row.isStaff };
}

type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
const LATER_HOOKS = ['preParsing', 'preValidation', 'preHandler'] as const;

function hooksOf(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A route names its guard in any hook; the guard runs first of the route's own `onRequest` hooks,
 * before the body is read, parsed or validated, so an anonymous caller gets a 401 whatever it sent
 * (never a 400 or 415 that would tell it about the body the route expects). The route's access is
 * recorded in its config for the route table, the caching policy and the gateway checks.
 */
function guardFirst(route: RouteOptions, guards: ReadonlyMap<Guard, RouteAccess>): void {
  const found: Guard[] = [];
  const take = (hooks: unknown[]) =>
    hooks.filter((hook) => {
      if (!guards.has(hook as Guard)) return true;
      found.push(hook as Guard);
      return false;
    });
  const options = route as unknown as Record<string, unknown>;
  const onRequest = take(hooksOf(route.onRequest));
  for (const name of LATER_HOOKS) {
    if (options[name] === undefined) continue;
    options[name] = take(hooksOf(options[name]));
  }
  // Staff routes need only requireAdmin, which authenticates too.
  const guard = found.find((candidate) => guards.get(candidate) === 'admin') ?? found[0];
  if (guard) options.onRequest = [guard, ...onRequest];
  route.config = { ...route.config, access: guard ? guards.get(guard) : 'public' };
}

/** JWT with one pinned algorithm, issuer, audience and expiry (each required); the route guards. */
export const authPlugin = fp<{ config: Config; database: Database }>(
  async (app, { config, database }) => {
    await app.register(fastifyJwt, {
      secret: config.JWT_SECRET,
      sign: {
        algorithm: JWT_ALGORITHM,
        expiresIn: config.JWT_ACCESS_TTL_SECONDS,
        iss: JWT_ISSUER,
        aud: JWT_AUDIENCE,
      },
      verify: {
        algorithms: [JWT_ALGORITHM],
        allowedIss: JWT_ISSUER,
        allowedAud: JWT_AUDIENCE,
        // Without these, fast-jwt checks iss and aud only when a token carries them.
        requiredClaims: ['exp', 'sub', 'iss', 'aud'],
      },
    });
    app.decorateRequest('principal', null as unknown as Principal);
    const authenticate: Guard = async (request) => {
      request.principal = await verifyPrincipal(database, request);
    };
    const requireAdmin: Guard = async (request) => {
      request.principal = await verifyPrincipal(database, request);
      if (!request.principal.isStaff) throw new ForbiddenError('Only staff may do this');
    };
    app.decorate('authenticate', authenticate);
    app.decorate('requireAdmin', requireAdmin);
    const guards = new Map<Guard, RouteAccess>([
      [authenticate, 'user'],
      [requireAdmin, 'admin'],
    ]);
    app.addHook('onRoute', (route) => guardFirst(route, guards));
    app.decorate('signAccessToken', (principal: Principal) =>
      app.jwt.sign({ sub: String(principal.id), is_staff: principal.isStaff, type: 'access' }),
    );
  },
  { name: 'auth' },
);
