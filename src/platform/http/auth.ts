import fastifyJwt from '@fastify/jwt';
import { eq, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
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
    /** preHandler: a valid access token of an active user, else 401. */
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** preHandler: as `authenticate`, and the user is staff, else 403. */
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    /** Signs a short-lived access token for the user. */
    signAccessToken(principal: Principal): string;
  }
  interface FastifyRequest {
    principal: Principal;
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
    app.decorate('authenticate', async (request: FastifyRequest) => {
      request.principal = await verifyPrincipal(database, request);
    });
    app.decorate('requireAdmin', async (request: FastifyRequest) => {
      request.principal = await verifyPrincipal(database, request);
      if (!request.principal.isStaff) throw new ForbiddenError('Only staff may do this');
    });
    app.decorate('signAccessToken', (principal: Principal) =>
      app.jwt.sign({ sub: String(principal.id), is_staff: principal.isStaff, type: 'access' }),
    );
  },
  { name: 'auth' },
);
