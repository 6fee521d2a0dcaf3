import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { ALL_MODULES } from '../../src/app.js';
import { ConfigError, ConfigSchema, parseConfig, resolveConfig } from '../../src/platform/config.js';
import { hostedModules } from '../../src/platform/platform.js';
import type { AppRoute } from '../helpers/route-table.js';
import {
  appServices,
  type ComposeFile,
  type ComposeProject,
  envFilesOf,
  environmentOf,
  modulesOf,
  readEnvFile,
} from './compose-config.js';
import { hostsOf, type KongConfig, type KongPlugin, pluginsOf, routeFor, routesOf } from './kong-config.js';

/** Reached by Kong's health checks and Prometheus on the internal network, never through Kong. */
export function isInternalRoute(url: string): boolean {
  return url.startsWith('/health/') || url === '/metrics';
}

const KNOWN_VARIABLES = new Set(Object.keys(ConfigSchema.properties));

/** (a) Every public route of the app has a Kong route that takes it. */
export function uncoveredRoutes(kong: KongConfig, routes: readonly AppRoute[]): string[] {
  return routes
    .filter((route) => !isInternalRoute(route.url) && !routeFor(kong, route.method, route.url))
    .map((route) => `${route.method} ${route.url} has no Kong route`);
}

/**
 * (a) Every module prefix is routed, whether or not the module has routes yet, and every Kong route
 * path belongs to a module prefix or /docs (a misspelt or stale path is an error, not dead config).
 */
export function kongRouteProblems(kong: KongConfig, moduleNames: readonly string[]): string[] {
  const prefixes = [...moduleNames.map((name) => `/api/${name}`), '/api/admin/events', '/docs'];
  const problems = moduleNames
    .filter((name) => !routeFor(kong, 'GET', `/api/${name}`) || !routeFor(kong, 'POST', `/api/${name}/any`))
    .map((name) => `module ${name}: no Kong route for /api/${name}`);
  for (const { route } of routesOf(kong)) {
    const label = route.name ?? route.paths?.join(',');
    if (route.strip_path !== false)
      problems.push(`route ${label}: strip_path must be false (the app serves the full path)`);
    for (const written of route.paths ?? []) {
      // A regex path is judged by its literal start: `~/api/users/\d+$` by `/api/users/`.
      const path = written.startsWith('~') ? written.slice(1).replace(/[\\^$.*+?()[\]{}|].*$/u, '') : written;
      const known = prefixes.some(
        (prefix) =>
          path === prefix ||
          path.startsWith(`${prefix}/`) ||
          (written !== path && `${path}/`.startsWith(`${prefix}/`)),
      );
      if (!known) problems.push(`route ${label}: path ${written} is not under a module prefix or /docs`);
    }
  }
  return problems;
}

/**
 * (a, split) Every path goes to compose services that host the module owning it: the Kong service's
 * upstream targets must be app services of the compose project whose MODULES include that module.
 * Module prefixes are probed too, so that the check holds before a module has any route.
 */
export function misroutedPaths(
  kong: KongConfig,
  project: ComposeProject,
  routes: readonly AppRoute[],
  moduleNames: readonly string[],
): string[] {
  const probes: AppRoute[] = moduleNames.flatMap((name) => [
    { method: 'GET', url: `/api/${name}`, module: name },
    { method: 'POST', url: `/api/${name}/any`, module: name },
  ]);
  const apps = appServices(project);
  const problems = new Set<string>();
  for (const route of [...routes, ...probes]) {
    if (isInternalRoute(route.url)) continue;
    const resolved = routeFor(kong, route.method, route.url);
    if (!resolved) continue;
    const hosts = hostsOf(kong, resolved.service);
    if (hosts.length === 0) problems.add(`Kong service ${resolved.service.name} has no target`);
    for (const host of hosts) {
      const service = project.merged.services[host];
      if (!service || !apps.includes(host)) {
        problems.add(
          `Kong service ${resolved.service.name} sends to ${host}, which is not an app service of the compose project`,
        );
        continue;
      }
      const modules = modulesOf(service);
      if (route.module && modules !== 'all' && !modules.includes(route.module)) {
        problems.add(
          `${route.method} ${route.url} (module ${route.module}) goes through Kong service ${resolved.service.name} to ${host}, whose MODULES=${modules.join(',')} do not host it`,
        );
      }
    }
  }
  return [...problems];
}

/** (b) Every variable a compose file gives an app service (environment and env_file) is one config.ts reads. */
export function unknownEnvironment(project: ComposeProject): string[] {
  const apps = appServices(project);
  const problems: string[] = [];
  project.documents.forEach((document, index) => {
    const file = project.files[index];
    for (const [name, service] of Object.entries(document.services)) {
      if (!apps.includes(name)) continue;
      for (const variable of Object.keys(environmentOf(service))) {
        if (!KNOWN_VARIABLES.has(variable))
          problems.push(
            `${file}: service ${name} sets ${variable}, which src/platform/config.ts does not know`,
          );
      }
      for (const envFile of envFilesOf(service)) {
        const read = readEnvFile(project.directory, envFile);
        if (!read) {
          problems.push(
            `${file}: service ${name} reads ${envFile}, and neither it nor ${envFile}.example exists`,
          );
          continue;
        }
        for (const variable of Object.keys(read.values)) {
          if (!KNOWN_VARIABLES.has(variable))
            problems.push(
              `${read.path}: ${variable} (env_file of ${name}) is not known to src/platform/config.ts`,
            );
        }
      }
    }
  });
  return problems;
}

/** `ENV` names and values set by the Dockerfile's last stage (the runtime image). */
export function dockerfileEnvironment(dockerfile: string): Record<string, string> {
  const stages = readFileSync(dockerfile, 'utf8')
    .replace(/\\\n/gu, ' ')
    .split(/^FROM\s/mu);
  const runtime = stages.at(-1) ?? '';
  const environment: Record<string, string> = {};
  for (const [, rest] of runtime.matchAll(/^ENV\s+(.+)$/gmu)) {
    const pairs = [...(rest ?? '').matchAll(/(\w+)=("[^"]*"|\S+)/gu)];
    if (pairs.length === 0) {
      const [name, ...value] = (rest ?? '').trim().split(/\s+/u);
      if (name) environment[name] = value.join(' ');
    }
    for (const [, name, value] of pairs) if (name) environment[name] = (value ?? '').replace(/^"|"$/gu, '');
  }
  return environment;
}

/**
 * (b) Each app service starts with a valid configuration: the image's ENV, then its env_file
 * (the committed template standing in for `.env`), then `environment`, through the app's own
 * parseConfig / resolveConfig / hostedModules, so a bad value or an unknown module fails here.
 */
export function invalidAppConfiguration(
  project: ComposeProject,
  imageEnvironment: Record<string, string>,
): string[] {
  const problems: string[] = [];
  for (const name of appServices(project)) {
    const service = project.merged.services[name]!;
    const fromFiles = envFilesOf(service).map((file) => readEnvFile(project.directory, file)?.values ?? {});
    const environment = Object.assign({}, imageEnvironment, ...fromFiles, environmentOf(service));
    try {
      hostedModules(resolveConfig(parseConfig(environment)), ALL_MODULES);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      if (!(error instanceof ConfigError) && !error.message.startsWith('invalid configuration')) throw error;
      problems.push(`service ${name}: ${error.message.replace(/\s+/gu, ' ')}`);
    }
  }
  return problems;
}

/** Only Kong's proxy port (8000) is published to the host. */
export function publishedPortProblems(project: ComposeProject): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(project.merged.services)) {
    for (const port of service.ports ?? []) {
      const target =
        typeof port === 'object' && port !== null
          ? String((port as { target: unknown }).target)
          : String(port).split(':').at(-1);
      if (name !== 'kong' || target !== '8000')
        problems.push(`service ${name} publishes ${JSON.stringify(port)}`);
    }
  }
  return problems;
}

let composeValidator: ValidateFunction | undefined;

/**
 * (c) The compose specification's JSON schema, as shipped by the `dclint` package (the official
 * compose-spec schema), checked with ajv.
 */
export function composeSchemaErrors(document: ComposeFile): string[] {
  if (!composeValidator) {
    const packageJson = createRequire(import.meta.url).resolve('dclint/package.json');
    const schemaPath = join(dirname(packageJson), 'schemas', 'compose.schema.json');
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(schemaPath, 'utf8')) as Record<
      string,
      unknown
    >;
    composeValidator = new Ajv.default({ allErrors: true, strict: false, validateFormats: false }).compile(
      schema,
    );
  }
  const validate = composeValidator;
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error) =>
      `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`,
  );
}

/** The Node version the project runs on: `devDependencies.node` (engines must admit it). */
export function projectNodeVersion(packageJson: string): string {
  const { devDependencies } = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  return devDependencies?.node ?? '';
}

/** The runtime image: the project's Node on slim, production dependencies, migrations, non-root, health-checked. */
export function dockerfileProblems(dockerfile: string, nodeVersion: string): string[] {
  const text = readFileSync(dockerfile, 'utf8').replace(/\\\n/gu, ' ');
  const baseImages = [...text.matchAll(/^ARG\s+NODE_IMAGE=(\S+)/gmu)].map((match) => match[1]);
  const stages = text.split(/^FROM\s/mu).slice(1);
  const runtime = stages.at(-1) ?? '';
  const problems: string[] = [];
  const from = runtime.split('\n')[0] ?? '';
  const image = /\$\{NODE_IMAGE\}/u.test(from) ? (baseImages[0] ?? '') : from.split(/\s/u)[0];
  if (image !== `node:${nodeVersion}-bookworm-slim`)
    problems.push(`runtime stage is not on node:${nodeVersion}-bookworm-slim (the project's Node): ${image}`);
  if (!/npm ci [^\n]*--omit=dev/u.test(text))
    problems.push('no `npm ci --omit=dev` for the production dependencies');
  const user = [...runtime.matchAll(/^USER\s+(\S+)/gmu)].at(-1)?.[1];
  if (!user || user === 'root' || user === '0') problems.push('runtime stage runs as root (no USER)');
  if (!/^HEALTHCHECK\s[^\n]*\/health\/ready/mu.test(runtime))
    problems.push('no HEALTHCHECK on /health/ready');
  if (!/^COPY\s[^\n]*drizzle/mu.test(runtime))
    problems.push('drizzle/ (migrations applied at start) is not copied');
  if (!/^CMD\s[^\n]*(dist\/server\.js|npm", "start)/mu.test(runtime))
    problems.push('CMD does not start dist/server.js');
  for (const variable of Object.keys(dockerfileEnvironment(dockerfile))) {
    if (!KNOWN_VARIABLES.has(variable))
      problems.push(`ENV ${variable} is not known to src/platform/config.ts`);
  }
  return problems;
}

/** The app's operator routes: every staff route under /api/admin, and the users module's staff routes. */
export function isOperatorRoute(route: AppRoute): boolean {
  return route.access === 'admin' && (route.url.startsWith('/api/admin/') || route.module === 'users');
}

/** A request path for a route: each parameter filled with a value the app would take (`1`). */
export function samplePath(url: string): string {
  return url.replace(/:[^/]+/gu, '1').replace(/\*$/u, 'x');
}

function allowListOf(plugin: KongPlugin | undefined): string[] {
  return ((plugin?.config?.allow as string[] | undefined) ?? []).map(String);
}

/**
 * (e) The operator routes are restricted at the gateway too: each resolves (with every method it
 * answers, HEAD included for GET) to a Kong route whose ip-restriction allows only listed networks,
 * never everyone; and no other route of the app does, so customers are never blocked at the gate.
 */
export function gatewayRestrictionProblems(kong: KongConfig, routes: readonly AppRoute[]): string[] {
  const problems: string[] = [];
  for (const route of routes) {
    if (isInternalRoute(route.url)) continue;
    const methods = route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
    for (const method of methods) {
      const path = samplePath(route.url);
      const resolved = routeFor(kong, method, path);
      const restriction = [...(resolved?.route.plugins ?? []), ...(resolved?.service.plugins ?? [])].find(
        (plugin) => plugin.name === 'ip-restriction',
      );
      const allow = allowListOf(restriction);
      const label = `${method} ${path} (Kong route ${resolved?.route.name ?? 'none'})`;
      if (isOperatorRoute(route)) {
        if (!restriction) problems.push(`${label} is an operator route with no ip-restriction`);
        else if (allow.length === 0 || allow.some((entry) => /^(0\.0\.0\.0|::)\/0$/u.test(entry)))
          problems.push(`${label} allows everyone: ${allow.join(', ') || 'no allow list'}`);
      } else if (restriction) {
        problems.push(`${label} is not an operator route (${route.access}) but is ip-restricted`);
      }
    }
  }
  return problems;
}

/** The operators' networks of every ip-restriction in the file, which must all be one list. */
export function operatorNetworks(kong: KongConfig): string[][] {
  return pluginsOf(kong)
    .filter(({ plugin }) => plugin.name === 'ip-restriction')
    .map(({ plugin }) => allowListOf(plugin));
}
