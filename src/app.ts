import Fastify, { type FastifyInstance } from 'fastify';
import { cartModule } from './modules/cart/index.js';
import { categoriesModule } from './modules/categories/index.js';
import { ordersModule } from './modules/orders/index.js';
import { productsModule } from './modules/products/index.js';
import { reviewsModule } from './modules/reviews/index.js';
import { usersModule } from './modules/users/index.js';
import { type Config, loadConfig } from './platform/config.js';
import { type Database, databaseOptions, openDatabase } from './platform/db/database.js';
import type { EventBus } from './platform/events/event-bus.js';
import { frameworkErrorHandler } from './platform/http/errors.js';
import { lazySerializers, lazyValidators } from './platform/http/lazy-compilers.js';
import { loggerOptions, RequestLogController, requestLoggerFactory } from './platform/http/logging.js';
import { clientErrorHandler, serverTimeouts } from './platform/http/protocol-errors.js';
import { requestIdOf } from './platform/http/request-id.js';
import { validatorCompiler } from './platform/http/validation.js';
import type { ModuleDefinition } from './platform/module.js';
import { registerPlatform } from './platform/platform.js';

/** Every module of the system; `MODULES` picks which of them this process hosts. */
export const ALL_MODULES: readonly ModuleDefinition[] = [
  usersModule,
  categoriesModule,
  productsModule,
  cartModule,
  ordersModule,
  reviewsModule,
];

export interface BuildOptions {
  config?: Config;
  /** Replaces the module list (tests use small example modules). */
  modules?: readonly ModuleDefinition[];
  /** A database opened by the caller, left open when the app closes. */
  database?: Database;
  bus?: EventBus;
}

export async function buildApp(options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = options.config ?? loadConfig();
  const database = options.database ?? (await openDatabase(databaseOptions(config)));
  const app = Fastify({
    logger: loggerOptions(config),
    logController: new RequestLogController(config.logFormat === 'pretty'),
    genReqId: requestIdOf,
    childLoggerFactory: requestLoggerFactory,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    http: serverTimeouts(config.REQUEST_TIMEOUT_MS),
    clientErrorHandler,
    trustProxy: config.trustProxy,
    // Requests arriving while the app closes get the platform's own 503 (problem+json, request id).
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
    schemaController: { compilersFactory: { buildSerializer: lazySerializers() } },
  });
  app.setValidatorCompiler(lazyValidators(validatorCompiler()));
  try {
    const allModules = options.modules ?? ALL_MODULES;
    const platform = await registerPlatform(app, {
      config,
      database,
      allModules,
      keepDatabaseOpen: options.database !== undefined,
      ...(options.bus ? { bus: options.bus } : {}),
    });
    for (const module of platform.modules) {
      await app.register(
        async (scope) =>
          module.register(scope, {
            name: module.name,
            config,
            database,
            logger: scope.log.child({ module: module.name }),
            handle: platform.events.handlerRegistry(module.name),
          }),
        { prefix: `/api/${module.name}` },
      );
    }
  } catch (error) {
    if (!options.database) await database.close();
    throw error;
  }
  return app;
}
