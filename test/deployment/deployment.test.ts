import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_MODULES } from '../../src/app.js';
import { ConfigSchema } from '../../src/platform/config.js';
import { type AppRoute, appRouteTable } from '../helpers/route-table.js';
import {
  appServices,
  ComposeInterpolationError,
  type ComposeProject,
  loadComposeProject,
  modulesOf,
  mountedKongConfig,
  operatorEnvironment,
  readEnvFile,
} from './compose-config.js';
import {
  composeSchemaErrors,
  dockerfileEnvironment,
  dockerfileProblems,
  gatewayRestrictionProblems,
  invalidAppConfiguration,
  isInternalRoute,
  isOperatorRoute,
  kongRouteProblems,
  misroutedPaths,
  operatorNetworks,
  projectNodeVersion,
  publishedPortProblems,
  uncoveredRoutes,
  unknownEnvironment,
} from './deployment-checks.js';
import {
  type KongConfig,
  loadKongConfig,
  payloadLimitBytes,
  pluginConfigProblems,
  pluginsOf,
  routeFor,
} from './kong-config.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const MODULE_NAMES = ALL_MODULES.map((module) => module.name);
const NODE_VERSION = projectNodeVersion(`${ROOT}package.json`);

/** The two ways of running the system, each with the Kong file its compose project mounts. */
const DEPLOYMENTS = [
  { name: 'single', files: ['docker-compose.yml'], kong: 'kong.yml' },
  { name: 'split', files: ['docker-compose.yml', 'docker-compose.split.yml'], kong: 'kong.split.yml' },
] as const;

/** What an operator's `.env` holds once filled in as `.env.example` says (made once per run). */
const OPERATOR_ENV = operatorEnvironment(ROOT);

function project(
  files: readonly string[],
  directory = ROOT,
  variables: Record<string, string> = OPERATOR_ENV,
): ComposeProject {
  return loadComposeProject(
    files.map((file) => (file.includes('/') ? file : `${ROOT}${file}`)),
    { directory, variables },
  );
}

function kong(file: string): KongConfig {
  return loadKongConfig(file.includes('/') ? file : `${ROOT}${file}`);
}

let routes: AppRoute[];

beforeAll(async () => {
  routes = await appRouteTable();
}, 120_000);

describe('the app route table the checks run on', () => {
  it('when the app is built with every module, then its public routes include /docs', () => {
    expect(routes.some((route) => route.url === '/docs' && route.method === 'GET')).toBe(true);
    expect(
      routes.filter((route) => route.module !== null).every((route) => route.url.startsWith('/api/')),
    ).toBe(true);
  });

  it('when a route is neither /api nor /docs, then it is internal (health, metrics) or it must be routed by Kong', () => {
    const elsewhere = routes.filter(
      (route) => !route.url.startsWith('/api/') && !route.url.startsWith('/docs'),
    );
    expect(elsewhere.filter((route) => !isInternalRoute(route.url))).toEqual([]);
  });
});

describe.each(DEPLOYMENTS)('the $name deployment', ({ files, kong: kongFile }) => {
  it('when compose starts it, then Kong loads this Kong file (mounted where KONG_DECLARATIVE_CONFIG points)', () => {
    expect(mountedKongConfig(project(files))).toBe(`${ROOT}${kongFile}`);
  });

  it('when the app has a public route, then Kong has a route for it', () => {
    expect(uncoveredRoutes(kong(kongFile), routes)).toEqual([]);
  });

  it('when a module exists, then its /api prefix is routed, and every Kong path belongs to a module or /docs', () => {
    expect(kongRouteProblems(kong(kongFile), MODULE_NAMES)).toEqual([]);
  });

  it('when Kong routes a path, then it reaches compose services whose MODULES host that module', () => {
    expect(misroutedPaths(kong(kongFile), project(files), routes, MODULE_NAMES)).toEqual([]);
  });

  it('when compose gives the app variables, then config.ts knows every one and accepts the values', () => {
    const compose = project(files);
    expect(unknownEnvironment(compose)).toEqual([]);
    expect(invalidAppConfiguration(compose, dockerfileEnvironment(`${ROOT}Dockerfile`))).toEqual([]);
  });

  it('when compose runs, then only Kong publishes a port, 8000', () => {
    expect(publishedPortProblems(project(files))).toEqual([]);
  });

  it('when compose reads the files, then each one follows the compose specification', () => {
    for (const document of project(files).documents) expect(composeSchemaErrors(document)).toEqual([]);
  });

  it('when Kong loads the plugins, then their config fields exist', () => {
    expect(pluginConfigProblems(kong(kongFile))).toEqual([]);
  });

  it("when a request reaches an operator route (/api/admin/*, the users staff routes), then Kong lets only the operators' networks through, and no other route is restricted", () => {
    expect(gatewayRestrictionProblems(kong(kongFile), routes)).toEqual([]);
  });
});

describe('the operator routes at the gateway', () => {
  it('when the app is built, then its operator routes are the admin events and the users staff routes', () => {
    const operator = routes.filter(isOperatorRoute).map((route) => `${route.method} ${route.url}`);
    expect(operator).toEqual(
      expect.arrayContaining([
        'GET /api/users',
        'GET /api/users/:id',
        'PATCH /api/users/:id',
        'GET /api/admin/events/status',
        'DELETE /api/admin/events/dead-letters',
      ]),
    );
    expect(operator).not.toContain('GET /api/users/me');
  });

  it("when both Kong files are read, then every ip-restriction in them allows the same operators' networks", () => {
    const lists = ['kong.yml', 'kong.split.yml'].flatMap((file) => operatorNetworks(kong(file)));
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const list of lists) expect(list).toEqual(lists[0]);
    expect(lists[0]).toContain('127.0.0.1');
  });

  it.each([
    ['GET', '/api/users', 'users-admin'],
    ['HEAD', '/api/users/', 'users-admin'],
    ['GET', '/api/users/42', 'users-admin'],
    ['PATCH', '/api/users/42/', 'users-admin'],
    ['GET', '/api/users/me', 'users'],
    ['PATCH', '/api/users/me', 'users'],
    ['POST', '/api/users/me/password', 'users'],
    ['POST', '/api/users/login', 'users-login'],
    ['POST', '/api/users/password/reset', 'users-password-reset'],
    ['POST', '/api/users/password/reset/confirm', 'users-password-reset'],
    ['GET', '/api/users/42x', 'users'],
    ['GET', '/api/admin/events/status', 'admin-events'],
  ])(
    'when Kong routes %s %s, then it is the %s route (regex and method routes outrank the prefix)',
    (method, path, name) => {
      expect(routeFor(kong('kong.yml'), method, path)?.route.name).toBe(name);
    },
  );

  it('when an operator route loses its restriction, allows everyone, or a customer route is restricted, then the check names each', () => {
    const broken = structuredClone(kong('kong.yml'));
    const users = broken.services?.find((service) => service.name === 'users');
    const admin = users?.routes?.find((route) => route.name === 'users-admin');
    const events = broken.services?.find((service) => service.name === 'admin-events')?.routes?.[0];
    const cart = broken.services?.find((service) => service.name === 'cart')?.routes?.[0];
    admin!.plugins = [];
    events!.plugins = [{ name: 'ip-restriction', config: { allow: ['0.0.0.0/0'] } }];
    cart!.plugins = [{ name: 'ip-restriction', config: { allow: ['127.0.0.1'] } }];
    const problems = gatewayRestrictionProblems(broken, routes);
    expect(problems).toContainEqual(
      'GET /api/users/1 (Kong route users-admin) is an operator route with no ip-restriction',
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^GET \/api\/admin\/events\/status .* allows everyone: 0\.0\.0\.0\/0$/u),
    );
    expect(problems).toContainEqual(
      expect.stringMatching(/^GET \/api\/cart .* is not an operator route \(user\) but is ip-restricted$/u),
    );
  });
});

describe('secrets in compose', () => {
  const example = readEnvFile(ROOT, '.env.example')?.values ?? {};

  it.each(DEPLOYMENTS.map((deployment) => [deployment.name, deployment.files] as const))(
    'when .env is .env.example as committed (%s), then compose refuses to start, naming each password and the secret',
    (_name, files) => {
      expect(() => project(files, ROOT, example)).toThrow(ComposeInterpolationError);
      try {
        project(files, ROOT, example);
      } catch (error) {
        for (const name of ['POSTGRES_PASSWORD', 'RABBITMQ_PASSWORD', 'JWT_SECRET'])
          expect((error as Error).message).toMatch(
            new RegExp(`${name}: set ${name} in .env \\(openssl rand`, 'u'),
          );
      }
    },
  );

  it('when the compose files are read, then no password or secret has a default', () => {
    for (const file of ['docker-compose.yml', 'docker-compose.split.yml']) {
      const text = readFileSync(`${ROOT}${file}`, 'utf8');
      for (const name of ['POSTGRES_PASSWORD', 'RABBITMQ_PASSWORD', 'JWT_SECRET']) {
        const uses = [...text.matchAll(new RegExp(`\\$\\{${name}([^}]*)\\}`, 'gu'))].map((match) => match[1]);
        expect(
          uses.every((use) => use?.startsWith(':?')),
          `${file} ${name}: ${uses.join(' ')}`,
        ).toBe(true);
      }
    }
    expect(example).toMatchObject({
      POSTGRES_PASSWORD: '',
      RABBITMQ_PASSWORD: '',
      JWT_SECRET: '',
      ADMIN_PASSWORD: '',
    });
  });

  it('when an operator keeps the old example secrets, then the app (production, as the image runs it) refuses them by name', () => {
    const stale = {
      ...OPERATOR_ENV,
      JWT_SECRET: 'replace-me-with-at-least-32-random-characters-0123456789',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'replace-me-too',
    };
    const problems = invalidAppConfiguration(
      project(['docker-compose.yml'], ROOT, stale),
      dockerfileEnvironment(`${ROOT}Dockerfile`),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^service app: .*JWT_SECRET is an example value.*ADMIN_PASSWORD is an example value/u,
      ),
    ]);
  });
});

describe('the split deployment', () => {
  it('when split, then every module is hosted by exactly one app service', () => {
    const split = project(DEPLOYMENTS[1].files);
    const hosts = MODULE_NAMES.map((name) =>
      appServices(split).filter((service) => {
        const modules = modulesOf(split.merged.services[service]!);
        return modules === 'all' || modules.includes(name);
      }),
    );
    expect(hosts.map((services) => services.length)).toEqual(MODULE_NAMES.map(() => 1));
  });
});

describe('kong.yml and kong.split.yml', () => {
  it.each(['kong.yml', 'kong.split.yml'])(
    'when %s is loaded, then upstreams are health-checked on /health/ready, a route the app has',
    (file) => {
      const upstreams = kong(file).upstreams ?? [];
      expect(upstreams.length).toBeGreaterThan(0);
      for (const upstream of upstreams)
        expect(upstream.healthchecks?.active?.http_path).toBe('/health/ready');
      expect(routes.some((route) => route.url === '/health/ready')).toBe(true);
    },
  );

  it.each(['kong.yml', 'kong.split.yml'])(
    'when %s is loaded, then login and register have their own much tighter rate limit',
    (file) => {
      const config = kong(file);
      const globalLimit = pluginsOf(config).find(
        ({ plugin, scope }) => scope === 'global' && plugin.name === 'rate-limiting',
      );
      expect(globalLimit).toBeDefined();
      for (const path of ['/api/users/login', '/api/users/register']) {
        const route = routeFor(config, 'POST', path)?.route;
        expect(route?.paths).toContain(path);
        const limit = route?.plugins?.find((plugin) => plugin.name === 'rate-limiting');
        expect(Number(limit?.config?.minute)).toBeLessThanOrEqual(
          Number(globalLimit?.plugin.config?.minute) / 10,
        );
      }
    },
  );

  it.each(['kong.yml', 'kong.split.yml'])(
    'when %s is loaded, then it sets x-request-id, CORS, and the body limit of the app',
    (file) => {
      const global = pluginsOf(kong(file))
        .filter(({ scope }) => scope === 'global')
        .map(({ plugin }) => plugin);
      expect(global.find((plugin) => plugin.name === 'correlation-id')?.config).toMatchObject({
        header_name: 'x-request-id',
        echo_downstream: true,
      });
      expect(global.some((plugin) => plugin.name === 'cors')).toBe(true);
      const sizeLimit = global.find((plugin) => plugin.name === 'request-size-limiting');
      expect(sizeLimit).toBeDefined();
      expect(payloadLimitBytes(sizeLimit!)).toBe(ConfigSchema.properties.BODY_LIMIT_BYTES.default);
    },
  );
});

describe('the Dockerfile', () => {
  it('when built, then the runtime is the project Node on slim, production-only, non-root, health-checked, with migrations', () => {
    expect(dockerfileProblems(`${ROOT}Dockerfile`, NODE_VERSION)).toEqual([]);
  });

  it('when the project names its Node, then one supported LTS line is used everywhere: engines, the image, .nvmrc and CI', () => {
    const { engines } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      engines: { node: string };
    };
    const major = NODE_VERSION.split('.')[0];
    expect(NODE_VERSION).toMatch(/^\d+\.\d+\.\d+$/u);
    expect(Number(major) % 2, 'LTS lines are the even majors').toBe(0);
    expect(Number(major)).toBeGreaterThanOrEqual(24);
    expect(engines.node).toBe(`^${major}.11.0`);
    expect(readFileSync(`${ROOT}.nvmrc`, 'utf8').trim()).toBe(NODE_VERSION);
    expect(readFileSync(`${ROOT}.ci/run`, 'utf8')).toContain('devDependencies.node');
  });

  it('when the image runs, then it starts node exactly as `npm start` does (same flags, heap cap included)', () => {
    const runtime =
      readFileSync(`${ROOT}Dockerfile`, 'utf8')
        .split(/^FROM\s/mu)
        .at(-1) ?? '';
    const cmd = [...runtime.matchAll(/^CMD\s+(\[.*\])\s*$/gmu)].at(-1)?.[1];
    const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(JSON.parse(cmd ?? '[]')).toEqual(scripts.start?.trim().split(/\s+/u));
    expect(scripts.start).toMatch(/--max-old-space-size=\d+/u);
    expect(scripts.start).toMatch(/--max-semi-space-size=\d+/u);
    expect(scripts.start).toMatch(/--min-semi-space-size=\d+/u);
    expect(scripts.start).toMatch(/--heap-growing-percent=\d+/u);
    expect(scripts.start).toContain('--no-allocation-site-pretenuring');
    expect(scripts.start).toContain('--no-concurrent-recompilation');
  });

  it('when the image runs, then NODE_ENV, HOST and PORT are set for a container', () => {
    expect(dockerfileEnvironment(`${ROOT}Dockerfile`)).toMatchObject({
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      PORT: '3000',
    });
  });
});

describe('each check, on a deliberately broken copy (test/deployment/fixtures)', () => {
  it('when kong.yml lacks the /api/reviews route, then the route check names reviews', () => {
    const broken = kong(`${FIXTURES}kong.missing-reviews.yml`);
    expect(kongRouteProblems(broken, MODULE_NAMES)).toContain(
      'module reviews: no Kong route for /api/reviews',
    );
    const reviewRoutes: AppRoute[] = [{ method: 'GET', url: '/api/reviews/summary', module: 'reviews' }];
    expect(uncoveredRoutes(broken, [...routes, ...reviewRoutes])).toContain(
      'GET /api/reviews/summary has no Kong route',
    );
  });

  it('when the split Kong file sends /api/cart to the catalogue service, then the split check names it', () => {
    const problems = misroutedPaths(
      kong(`${FIXTURES}kong.split.cart-on-catalog.yml`),
      project(DEPLOYMENTS[1].files),
      routes,
      MODULE_NAMES,
    );
    expect(problems).toContainEqual(
      expect.stringMatching(
        /^GET \/api\/cart \(module cart\).* to app, whose MODULES=users,categories,products/u,
      ),
    );
    expect(problems.every((problem) => problem.includes('module cart'))).toBe(true);
  });

  it('when compose gives the app UNKNOWN_VAR, then the environment check names it', () => {
    const broken = project([`${FIXTURES}docker-compose.unknown-var.yml`]);
    expect(unknownEnvironment(broken)).toEqual([
      `${FIXTURES}docker-compose.unknown-var.yml: service app sets UNKNOWN_VAR, which src/platform/config.ts does not know`,
    ]);
  });

  it('when compose names a module that does not exist, then the configuration check refuses it', () => {
    const broken = project([`${FIXTURES}docker-compose.unknown-module.yml`]);
    expect(invalidAppConfiguration(broken, dockerfileEnvironment(`${ROOT}Dockerfile`))).toEqual([
      expect.stringMatching(/^service app: .*MODULES: unknown module product/u),
    ]);
  });

  it('when a compose file breaks the specification, then the schema check reports each error', () => {
    const [document] = project([`${FIXTURES}docker-compose.invalid.yml`]).documents;
    const errors = composeSchemaErrors(document!);
    expect(errors).toContainEqual(expect.stringContaining('depend_on'));
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^\/services\/kong\/depends_on\/app\/condition must be equal to one of the allowed values/u,
      ),
    );
  });

  it('when the Dockerfile runs as root and sets an unknown ENV, then the Dockerfile check names both', () => {
    expect(dockerfileProblems(`${FIXTURES}Dockerfile.runs-as-root`, NODE_VERSION)).toEqual([
      'runtime stage runs as root (no USER)',
      'ENV LISTEN_PORT is not known to src/platform/config.ts',
    ]);
  });
});
