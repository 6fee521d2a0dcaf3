import type { FastifyInstance } from 'fastify';

/** An answer the seed did not expect: names the request and the problem's code and detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface Answer<T> {
  status: number;
  body: T;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/**
 * The app's own HTTP API, called in-process (`inject`): what the seed writes goes through the same
 * routes, checks and events as a client's request.
 */
export class SeedApi {
  constructor(private readonly app: FastifyInstance) {}

  /** Any answer; `expected` statuses come back, others throw an ApiError. */
  async call<T>(
    method: Method,
    url: string,
    options: {
      token?: string;
      body?: unknown;
      expected?: readonly number[];
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await this.app.inject({
      method,
      url,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const body = response.body === '' ? undefined : (response.json() as T);
    const expected = options.expected ?? [200, 201, 202, 204];
    if (!expected.includes(response.statusCode)) {
      const problem = (body ?? {}) as { code?: string; detail?: string; title?: string };
      throw new ApiError(
        response.statusCode,
        problem.code,
        `${method} ${url} answered ${response.statusCode} ${problem.code ?? ''}: ${problem.detail ?? problem.title ?? response.body}`,
      );
    }
    return { status: response.statusCode, body: body as T };
  }

  async get<T>(url: string, token?: string): Promise<T> {
    return (await this.call<T>('GET', url, token === undefined ? {} : { token })).body;
  }

  async post<T>(url: string, body: unknown, token?: string): Promise<T> {
    return (await this.call<T>('POST', url, { body, ...(token === undefined ? {} : { token }) })).body;
  }
}

/** `?a=1&b=x` from the defined entries. */
export function query(parameters: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters))
    if (value !== undefined) search.set(key, String(value));
  return `?${search.toString()}`;
}
