import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface KongPlugin {
  name: string;
  config?: Record<string, unknown>;
}

export interface KongRoute {
  name?: string;
  paths?: string[];
  methods?: string[];
  strip_path?: boolean;
  plugins?: KongPlugin[];
  /** Only on top-level routes: the service they belong to. */
  service?: { name: string };
}

export interface KongService {
  name: string;
  host?: string;
  url?: string;
  routes?: KongRoute[];
  plugins?: KongPlugin[];
}

export interface KongUpstream {
  name: string;
  targets?: { target: string }[];
  healthchecks?: { active?: { type?: string; http_path?: string } };
}

export interface KongConfig {
  _format_version: string;
  services?: KongService[];
  routes?: KongRoute[];
  upstreams?: KongUpstream[];
  plugins?: KongPlugin[];
}

/** Kong and decK read YAML 1.1 (`y`, `on`, `off` are booleans there), so the tests do too. */
export function loadKongConfig(path: string): KongConfig {
  return parse(readFileSync(path, 'utf8'), { version: '1.1' }) as KongConfig;
}

export interface ResolvedRoute {
  route: KongRoute;
  service: KongService;
  /** The longest of the route's paths that is a prefix of the request path. */
  matchedPath: string;
}

/** Every route with the service it belongs to, whether nested under the service or top-level. */
export function routesOf(config: KongConfig): { route: KongRoute; service: KongService | undefined }[] {
  const nested = (config.services ?? []).flatMap((service) =>
    (service.routes ?? []).map((route) => ({ route, service })),
  );
  const topLevel = (config.routes ?? []).map((route) => ({
    route,
    service: config.services?.find((service) => service.name === route.service?.name),
  }));
  return [...nested, ...topLevel];
}

/**
 * The route Kong picks for a request: among the routes whose plain (prefix) paths start the request
 * path and whose methods (if any) allow it, the longest path wins. Regex paths (`~…`) are not used
 * in this project and are refused here rather than guessed at.
 */
export function routeFor(config: KongConfig, method: string, path: string): ResolvedRoute | undefined {
  let best: ResolvedRoute | undefined;
  for (const { route, service } of routesOf(config)) {
    if (!service) continue;
    if (route.methods && !route.methods.includes(method)) continue;
    for (const candidate of route.paths ?? []) {
      if (candidate.startsWith('~'))
        throw new Error(`regex route path ${candidate} is not understood by this check`);
      if (!path.startsWith(candidate)) continue;
      if (!best || candidate.length > best.matchedPath.length)
        best = { route, service, matchedPath: candidate };
    }
  }
  return best;
}

/** The host:port a Kong service sends to: an upstream's targets, or its own host. */
export function hostsOf(config: KongConfig, service: KongService): string[] {
  const host = service.host ?? (service.url ? new URL(service.url).hostname : undefined);
  if (!host) return [];
  const upstream = config.upstreams?.find((candidate) => candidate.name === host);
  if (!upstream) return [host];
  return (upstream.targets ?? []).map((target) => target.target.replace(/:\d+$/u, ''));
}

/** Every plugin with where it is attached: globally, on a service, or on a route. */
export function pluginsOf(config: KongConfig): { plugin: KongPlugin; scope: string }[] {
  return [
    ...(config.plugins ?? []).map((plugin) => ({ plugin, scope: 'global' })),
    ...(config.services ?? []).flatMap((service) =>
      (service.plugins ?? []).map((plugin) => ({ plugin, scope: `service ${service.name}` })),
    ),
    ...routesOf(config).flatMap(({ route }) =>
      (route.plugins ?? []).map((plugin) => ({
        plugin,
        scope: `route ${route.name ?? route.paths?.join(',')}`,
      })),
    ),
  ];
}

/**
 * The configuration fields (Kong 3.x) of the plugins this project uses. decK validates the file
 * offline but not plugin configs (it would need a running Kong for their schemas), so a misspelt
 * field is caught here instead.
 */
const PLUGIN_FIELDS: Record<string, readonly string[]> = {
  'rate-limiting': [
    'second',
    'minute',
    'hour',
    'day',
    'month',
    'year',
    'limit_by',
    'header_name',
    'path',
    'policy',
    'fault_tolerant',
    'hide_client_headers',
    'error_code',
    'error_message',
    'sync_rate',
    'redis',
  ],
  'correlation-id': ['header_name', 'generator', 'echo_downstream'],
  'request-size-limiting': ['allowed_payload_size', 'size_unit', 'require_content_length'],
  cors: [
    'origins',
    'headers',
    'exposed_headers',
    'methods',
    'max_age',
    'credentials',
    'private_network',
    'preflight_continue',
    'allow_origin_absent',
  ],
};

export function pluginConfigProblems(config: KongConfig): string[] {
  const problems: string[] = [];
  for (const { plugin, scope } of pluginsOf(config)) {
    const fields = PLUGIN_FIELDS[plugin.name];
    if (!fields) {
      problems.push(`${scope}: plugin ${plugin.name} is not one this check knows (add its fields)`);
      continue;
    }
    for (const field of Object.keys(plugin.config ?? {})) {
      if (!fields.includes(field)) problems.push(`${scope}: plugin ${plugin.name} has no field ${field}`);
    }
  }
  return problems;
}

/** request-size-limiting's limit in bytes (Kong's megabytes and kilobytes are binary units). */
export function payloadLimitBytes(plugin: KongPlugin): number {
  const size = Number(plugin.config?.allowed_payload_size ?? 128);
  const unit = String(plugin.config?.size_unit ?? 'megabytes');
  const factor: Record<string, number> = { bytes: 1, kilobytes: 1024, megabytes: 1024 * 1024 };
  return size * (factor[unit] ?? Number.NaN);
}
