import type { FastifyInstance, onSendHookHandler } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer carries tokens or personal data although anyone may call the route (login, refresh). */
    personal?: boolean;
  }
}

/**
 * Answers that carry tokens or personal data — every guarded route's, and those of routes marked
 * `personal` — are never stored by a browser, a proxy or a CDN (`Cache-Control: no-store`), errors
 * included. The public catalogue says nothing, and stays cacheable by whoever chooses to. Decided
 * once per route (after the auth plugin has recorded its access), so public routes pay nothing.
 */
export function registerCachePolicy(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    const personal = config.personal === true || (config.access !== undefined && config.access !== 'public');
    if (!personal) return;
    const own = route.onSend === undefined ? [] : [route.onSend].flat();
    route.onSend = [...own, noStore];
  });
}

const noStore: onSendHookHandler = (_request, reply, payload, done) => {
  reply.header('cache-control', 'no-store');
  done(null, payload);
};
