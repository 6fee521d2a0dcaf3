import type { InjectOptions } from 'fastify';
import type { DeadLetterView, EventsStatus } from '../../src/platform/operations/dead-letters.schemas.js';
import type { TestApp } from '../helpers/test-app.js';

export const ADMIN_EVENTS = '/api/admin/events';

/** The admin API as an operator's script would call it; each call answers the raw response too. */
export function adminEvents(t: TestApp, headers: Record<string, string>) {
  const call = (method: InjectOptions['method'], url: string, payload?: object) =>
    t.app.inject({ method, url: `${ADMIN_EVENTS}${url}`, headers, ...(payload ? { payload } : {}) });
  const id = (value: string) => encodeURIComponent(value);
  return {
    call,
    async status(): Promise<EventsStatus> {
      const response = await call('GET', '/status');
      if (response.statusCode !== 200)
        throw new Error(`status answered ${response.statusCode}: ${response.body}`);
      return response.json();
    },
    async list(query = ''): Promise<{ count: number; results: DeadLetterView[] }> {
      const response = await call('GET', `/dead-letters${query}`);
      if (response.statusCode !== 200)
        throw new Error(`list answered ${response.statusCode}: ${response.body}`);
      return response.json();
    },
    show: (deadLetter: string) => call('GET', `/dead-letters/${id(deadLetter)}`),
    replay: (deadLetter: string) => call('POST', `/dead-letters/${id(deadLetter)}/replay`),
    replayQueue: (body: object) => call('POST', '/dead-letters/replay', body),
    discard: (deadLetter: string) => call('DELETE', `/dead-letters/${id(deadLetter)}`),
    discardQueue: (query: string) => call('DELETE', `/dead-letters${query}`),
  };
}

/** One queue's line of the status. */
export function queueStatus(status: EventsStatus, queue: string) {
  const found = status.modules.flatMap((module) => module.queues).find((entry) => entry.queue === queue);
  if (!found) throw new Error(`no queue ${queue} in the status`);
  return found;
}

export function moduleStatus(status: EventsStatus, module: string) {
  const found = status.modules.find((entry) => entry.module === module);
  if (!found) throw new Error(`no module ${module} in the status`);
  return found;
}
