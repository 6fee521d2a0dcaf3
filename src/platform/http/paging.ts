import { type ObjectOptions, type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopbackHost, isValidHost } from './host.js';

export const MAX_PAGE_SIZE = 100;

/**
 * A bound past which a number is no integer a client can mean: `1e400` is Infinity once coerced, and
 * `1e20` would overflow the SQL OFFSET (a 500). Up to it, a page past the last is an empty 200.
 */
const LARGEST = Number.MAX_SAFE_INTEGER;

export const PageQuery = Type.Object({
  page: Type.Optional(
    Type.Integer({ minimum: 1, maximum: LARGEST, default: 1, description: 'Page number, from 1' }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: LARGEST,
      default: 20,
      description: `Page size; values above ${MAX_PAGE_SIZE} are clamped`,
    }),
  ),
});
export type PageQuery = Static<typeof PageQuery>;

/** A page of `item`s; `options` names it (`$id`) and gives it examples for the OpenAPI document. */
export function pageOf<T extends TSchema>(item: T, options: ObjectOptions = {}) {
  return Type.Object(
    {
      count: Type.Integer({ minimum: 0 }),
      next: Type.Union([Type.String(), Type.Null()]),
      previous: Type.Union([Type.String(), Type.Null()]),
      results: Type.Array(item),
    },
    options,
  );
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface PageWindow {
  page: number;
  limit: number;
  offset: number;
}

export function pageWindow(query: PageQuery): PageWindow {
  const page = query.page ?? 1;
  const limit = Math.min(query.limit ?? 20, MAX_PAGE_SIZE);
  return { page, limit, offset: (page - 1) * limit };
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Where page links start: the configured public URL, or this request's own (see `registerPageLinks`). */
    pageLinkBase(request: FastifyRequest): string;
  }
}

/**
 * Page links never carry a host a client made up: they start at `PUBLIC_URL` when it is set
 * (`https://shop.example`, or with a path prefix), else at the request's own host only when that
 * names this machine (localhost, 127.x.x.x, [::1]: development and tests); otherwise they are
 * relative (`/api/products?page=2&limit=20`), which every client resolves against the URL it asked.
 */
export function registerPageLinks(app: FastifyInstance, publicUrl: string | undefined): void {
  const configured = publicUrl?.replace(/\/+$/u, '');
  app.decorate('pageLinkBase', (request: FastifyRequest) => {
    if (configured !== undefined) return configured;
    const host = request.host;
    return host && isValidHost(host) && isLoopbackHost(host) ? `${request.protocol}://${host}` : '';
  });
}

/** `{count, next, previous, results}` with links that keep the request's other parameters. */
export function toPage<T>(request: FastifyRequest, window: PageWindow, count: number, results: T[]): Page<T> {
  const base = request.server.pageLinkBase(request);
  const link = (page: number) => {
    // Parsed against a fixed origin: only the path and the query of the request are used.
    const url = new URL(request.url, 'http://link.invalid');
    url.searchParams.set('page', String(page));
    url.searchParams.set('limit', String(window.limit));
    return `${base}${url.pathname}${url.search}`;
  };
  const lastPage = Math.max(1, Math.ceil(count / window.limit));
  return {
    count,
    next: window.page < lastPage ? link(window.page + 1) : null,
    previous: window.page > 1 ? link(Math.min(window.page - 1, lastPage)) : null,
    results,
  };
}
