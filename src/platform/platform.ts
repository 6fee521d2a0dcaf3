import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import { migrationFolders } from './db/migrations.js';
import type { EventBus } from './events/event-bus.js';
import { EventsRuntime } from './events/runtime.js';
import { authPlugin, type RouteAccess } from './http/auth.js';
import { registerCachePolicy } from './http/caching.js';
import { registerDocs } from './http/docs.js';
import { registerErrorHandling } from './http/errors.js';
import { registerHealth } from './http/health.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { Metrics } from './http/metrics.js';
import { registerPageLinks } from './http/paging.js';
import { registerRequestHooks } from './http/request-hooks.js';
import { MailRuntime } from './mail/mail-runtime.js';
import type { ModuleDefinition } from './module.js';
import { registerOperations } from './operations/operations.js';

/** One route as registered: what tests, docs checks and the gateway configuration are held against. */
export interface RouteRecord {
  method: string;
  url: string;
  /** The module whose plugin registered it (`/api/<module>/…`), or null for platform routes. */
  module: string | null;
  schema: FastifySchema | undefined;
  hidden: boolean;
  /** Who may call it, from its guard: `public`, `user` or `admin`. */
  access: RouteAccess;
}

export interface Platform {
  routes: RouteRecord[];
  config: Config;
  database: Database;
  events: EventsRuntime;
  mail: MailRuntime;
  metrics: Metrics;
  modules: readonly ModuleDefinition[];
}

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform;
  }
}

export function hostedModules(config: Config, all: readonly ModuleDefinition[]): ModuleDefinition[] {
  if (config.modules === 'all') return [...all];
  const unknown = config.modules.filter((name) => !all.some((module) => module.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `invalid configuration:\n  MODULES: unknown module ${unknown.join(', ')} (known: ${all.map((m) => m.name).join(', ')})`,
    );
  }
  return all.filter((module) => config.modules.includes(module.name));
}

export interface PlatformOptions {
  config: Config;
  database: Database;
  allModules: readonly ModuleDefinition[];
  bus?: EventBus;
  /** Set when the app did not open the database itself and must leave it open on close. */
  keepDatabaseOpen?: boolean;
}

/** Everything before the modules: migrations, error handling, security, auth, docs, health, metrics, events. */
export async function registerPlatform(app: FastifyInstance, options: PlatformOptions): Promise<Platform> {
  const { config, database, allModules } = options;
  const hosted = hostedModules(config, allModules);
  const routes: RouteRecord[] = [];
  await database.migrate(migrationFolders(allModules.map((module) => module.name)));
  const metrics = new Metrics(database);
  const events = await EventsRuntime.create({
    config,
    database,
    allModules,
    hosted,
    logger: app.log,
    observer: metrics.observer(),
    ...(options.bus ? { bus: options.bus } : {}),
  });
  metrics.watchRelay(() => events.relay.publishing());
  const mail = new MailRuntime({ config, database, logger: app.log, observer: metrics.mailObserver() });
  const platform: Platform = { routes, config, database, events, mail, metrics, modules: hosted };
  app.decorate('platform', platform);

  registerErrorHandling(app);
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  registerRequestHooks(app, () => closing);
  registerPageLinks(app, config.PUBLIC_URL);
  app.removeContentTypeParser('text/plain');
  registerJsonBodyParser(app);
  const origins = config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length > 0) {
    await app.register(fastifyCors, {
      origin: origins.includes('*') ? true : origins,
      // The plugin's default is GET, HEAD and POST: a browser could not PUT, PATCH or DELETE.
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      // Browsers hide response headers from cross-origin scripts unless they are listed here.
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
    });
  }
  if (config.RATE_LIMIT_MAX > 0) {
    await app.register(fastifyRateLimit, {
      global: false,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
      allowList: (request) => request.url.startsWith('/health/') || request.url === '/metrics',
    });
    // An app-wide hook, not the plugin's per-route one: app-wide hooks run before every route's
    // own, so requests a route's guard refuses (401, 403) are counted too.
    app.addHook('onRequest', app.rateLimit());
  }
  await app.register(authPlugin, { config, database });
  registerCachePolicy(app);
  // After the auth plugin, whose own onRoute hook has by then put each route's guard first and
  // recorded its access.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const prefix = /^\/api\/([^/]+)/.exec(route.url)?.[1];
      const module = allModules.some((known) => known.name === prefix) ? prefix! : null;
      const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
      const access = route.config?.access ?? 'public';
      routes.push({ method, url: route.url, module, schema: route.schema, hidden, access });
    }
  });
  await registerDocs(app, allModules);
  registerHealth(app, database, events.bus);
  const operations = await registerOperations(app, {
    config,
    database,
    modules: allModules,
    bus: events.bus,
    metrics,
    flushConsumedCounts: () => events.flushConsumedCounts(),
  });
  metrics.register(app);

  app.addHook('onReady', async () => {
    await events.start();
    mail.start();
  });
  // onClose runs once the server has stopped taking requests and the ones in flight have ended:
  // then the outbox is drained, consumers finish, the mails being sent are, and the database
  // closes last.
  app.addHook('onClose', async () => {
    await Promise.all([events.stop(config.SHUTDOWN_TIMEOUT_MS / 2), mail.stop()]);
    await operations.close();
    if (!options.keepDatabaseOpen) await database.close();
  });
  return platform;
}
