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
  hosts?: string[];
  headers?: Record<string, string[]>;
  regex_priority?: number;
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
  /** The route path that took the request path (a prefix, or a `~regex`). */
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

/** Whether a route path (`/prefix`, or `~regex` anchored at the start as Kong does) takes the request path. */
export function pathMatches(candidate: string, path: string): boolean {
  if (!candidate.startsWith('~')) return path.startsWith(candidate);
  return new RegExp(`^${candidate.slice(1)}`, 'u').test(path);
}

/**
 * Kong 3's order of routes (router_flavor traditional_compatible, the default): first by how many
 * kinds of criteria a route has (methods, hosts, headers, paths), then regex paths before prefix
 * paths, then `regex_priority` (regex) or the longer prefix. Larger sorts first.
 */
function priorityOf(route: KongRoute, path: string): number[] {
  const present = [route.methods, route.hosts, route.paths].filter((field) => field && field.length > 0);
  const weight = present.length + (route.headers && Object.keys(route.headers).length > 0 ? 1 : 0);
  const regex = path.startsWith('~');
  return [weight, regex ? 1 : 0, regex ? (route.regex_priority ?? 0) : 0, regex ? 0 : path.length];
}

function outranks(a: number[], b: number[]): boolean {
  for (let index = 0; index < a.length; index++) {
    if ((a[index] ?? 0) !== (b[index] ?? 0)) return (a[index] ?? 0) > (b[index] ?? 0);
  }
  return false;
}

/**
 * The route Kong picks for a request: among the routes whose methods (if any) allow it and one of
 * whose paths takes the request path, the one of highest priority (see `priorityOf`). Hosts and
 * headers are not used in this project's files, so a route that names them is refused here rather
 * than guessed at.
 */
export function routeFor(config: KongConfig, method: string, path: string): ResolvedRoute | undefined {
  let best: (ResolvedRoute & { priority: number[] }) | undefined;
  for (const { route, service } of routesOf(config)) {
    if (!service) continue;
    if (route.hosts?.length || (route.headers && Object.keys(route.headers).length > 0))
      throw new Error(`route ${route.name} matches on hosts or headers, which this check does not model`);
    if (route.methods && !route.methods.includes(method)) continue;
    for (const candidate of route.paths ?? []) {
      if (!pathMatches(candidate, path)) continue;
      const priority = priorityOf(route, candidate);
      if (!best || outranks(priority, best.priority))
        best = { route, service, matchedPath: candidate, priority };
    }
  }
  if (!best) return undefined;
  const { priority: _priority, ...resolved } = best;
  return resolved;
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
  'ip-restriction': ['allow', 'deny', 'status', 'message'],
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
