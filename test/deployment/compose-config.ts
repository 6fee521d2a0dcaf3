import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

type EnvironmentValue = string | number | boolean | null;

export interface ComposeService {
  build?: unknown;
  image?: string;
  environment?: Record<string, EnvironmentValue> | string[];
  env_file?: string | (string | { path: string })[];
  volumes?: (string | { source?: string; target: string })[];
  ports?: unknown[];
  depends_on?: Record<string, { condition?: string }> | string[];
  deploy?: { replicas?: number };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

export interface ComposeProject {
  /** The files in the order compose merges them (`-f a -f b`). */
  files: string[];
  /** Where relative paths (env_file, bind mounts, build) are resolved: the first file's folder. */
  directory: string;
  /** Each file as written, before merging. */
  documents: ComposeFile[];
  /** The model compose runs: the files merged in order, variables interpolated. */
  merged: ComposeFile;
}

export class ComposeInterpolationError extends Error {
  override name = 'ComposeInterpolationError';
}

/**
 * Compose's interpolation: `${NAME:-default}` / `${NAME-default}` take the default, `${NAME}` is
 * empty when unset, and `${NAME:?message}` / `${NAME?message}` make compose refuse the file when
 * NAME is unset (`:?`: or empty), as `docker compose config` does; every such refusal is listed.
 */
export function interpolate(text: string, variables: Record<string, string> = {}): string {
  const refusals: string[] = [];
  const result = text
    .replace(/\$\{(?<name>\w+)(?:(?<operator>:?[-?+])(?<word>[^}]*))?\}/gu, (...args) => {
      const groups = args.at(-1) as { name: string; operator?: string; word?: string };
      const value = variables[groups.name];
      if (groups.operator?.endsWith('-')) return value || (groups.word ?? '');
      if (groups.operator?.endsWith('?')) {
        const missing = groups.operator === ':?' ? !value : value === undefined;
        if (missing) refusals.push(`${groups.name}: ${groups.word ?? 'required'}`);
      }
      return value ?? '';
    })
    .replace(/\$\$/gu, '$');
  if (refusals.length > 0) throw new ComposeInterpolationError([...new Set(refusals)].join('\n'));
  return result;
}

export function readComposeFile(path: string, variables?: Record<string, string>): ComposeFile {
  const document = parse(interpolate(readFileSync(path, 'utf8'), variables), { merge: true }) as ComposeFile;
  return { ...document, services: document.services ?? {} };
}

export function environmentOf(service: ComposeService): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((line) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(service.environment ?? {}).map(([name, value]) => [
        name,
        value === null ? '' : String(value),
      ]);
  return Object.fromEntries(entries);
}

export function envFilesOf(service: ComposeService): string[] {
  const files = service.env_file === undefined ? [] : [service.env_file].flat();
  return files.map((file) => (typeof file === 'string' ? file : file.path));
}

function volumeTarget(volume: string | { target: string }): string {
  if (typeof volume !== 'string') return volume.target;
  const parts = volume.split(':');
  return parts.length === 1 ? (parts[0] ?? '') : (parts[1] ?? '');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Compose's merge rules, as far as these files use them. */
function mergeService(base: ComposeService, override: ComposeService): ComposeService {
  const merged: ComposeService = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    if (key === 'environment') {
      merged.environment = { ...environmentOf(base), ...environmentOf(override) };
    } else if (key === 'volumes') {
      const added = (value as NonNullable<ComposeService['volumes']>) ?? [];
      const kept = (base.volumes ?? []).filter(
        (volume) => !added.some((other) => volumeTarget(other) === volumeTarget(volume)),
      );
      merged.volumes = [...kept, ...added];
    } else if (key === 'env_file' || key === 'ports') {
      (merged as Record<string, unknown>)[key] = [...[current ?? []].flat(), ...[value].flat()];
    } else if (isMapping(current) && isMapping(value)) {
      merged[key] = { ...current, ...value };
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

export function loadComposeProject(
  files: string[],
  options: { directory?: string; variables?: Record<string, string> } = {},
): ComposeProject {
  const documents = files.map((file) => readComposeFile(file, options.variables));
  const services: Record<string, ComposeService> = {};
  for (const document of documents) {
    for (const [name, service] of Object.entries(document.services)) {
      const base = services[name];
      services[name] = base ? mergeService(base, service ?? {}) : { ...service };
    }
  }
  const merged = Object.assign({}, ...documents, { services }) as ComposeFile;
  return { files, directory: options.directory ?? dirname(files[0] ?? '.'), documents, merged };
}

/** The services that run the app: those built from the project's Dockerfile. */
export function appServices(project: ComposeProject): string[] {
  return Object.entries(project.merged.services)
    .filter(([, service]) => service.build !== undefined)
    .map(([name]) => name);
}

/** A service's `MODULES` as the app reads it: `all` when unset. */
export function modulesOf(service: ComposeService): string[] | 'all' {
  const value = environmentOf(service).MODULES ?? 'all';
  return value === '' || value === 'all' ? 'all' : value.split(',');
}

/**
 * Reads a dotenv file. A file that is not committed (`.env`) is read from its committed template
 * (`.env.example`) instead; undefined when neither exists.
 */
export function readEnvFile(
  directory: string,
  file: string,
): { path: string; values: Record<string, string> } | undefined {
  const path = [resolve(directory, file), resolve(directory, `${file}.example`)].find((candidate) =>
    existsSync(candidate),
  );
  if (!path) return undefined;
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?(?<name>[A-Za-z_]\w*)\s*=\s*(?<value>.*)$/u.exec(line);
    if (!match?.groups?.name) continue;
    values[match.groups.name] = (match.groups.value ?? '').trim().replace(/^(['"])(.*)\1$/u, '$2');
  }
  return { path, values };
}

/** The Kong declarative file a compose project mounts where KONG_DECLARATIVE_CONFIG points. */
export function mountedKongConfig(project: ComposeProject, kongService = 'kong'): string | undefined {
  const kong = project.merged.services[kongService];
  if (!kong) return undefined;
  const target = environmentOf(kong).KONG_DECLARATIVE_CONFIG;
  for (const volume of kong.volumes ?? []) {
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
    if (source && volumeTarget(volume) === target) return resolve(project.directory, source);
  }
  return undefined;
}

/**
 * `.env` as an operator fills it in from `.env.example`: every empty value made the way the file
 * says (random passwords and secret, an admin address), the rest kept.
 */
export function operatorEnvironment(directory: string): Record<string, string> {
  const template = readEnvFile(directory, '.env.example')?.values ?? {};
  const filled: Record<string, string> = {};
  for (const [name, value] of Object.entries(template)) {
    if (value !== '') filled[name] = value;
    else if (name === 'JWT_SECRET') filled[name] = randomBytes(48).toString('base64');
    else if (name.endsWith('_EMAIL')) filled[name] = 'ops@shop.example';
    else filled[name] = randomBytes(24).toString('hex');
  }
  return filled;
}
