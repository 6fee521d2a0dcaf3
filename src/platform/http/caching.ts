import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer carries tokens or personal data although anyone may call the route (login, refresh). */
    personal?: boolean;
  }
}

/**
 * Answers that carry tokens or personal data — every guarded route's, and those of routes marked
 * `personal` — are never stored by a browser, a proxy or a CDN (`Cache-Control: no-store`), errors
 * included. The public catalogue says nothing, and stays cacheable by whoever chooses to.
 */
export function registerCachePolicy(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    const config = request.routeOptions.config;
    const personal = config.personal === true || (config.access !== undefined && config.access !== 'public');
    if (personal) reply.header('cache-control', 'no-store');
  });
}
