import type { FastifyInstance } from 'fastify';
import { MemoryEventBus } from '../../src/platform/events/memory-bus.js';
import type { SeedApi } from './seed.api.js';
import type { SeedProgress } from './seed.progress.js';

interface EventsTotals {
  totals: { pending: number; published: number; consumed: number };
}

const POLL_MS = 200;
/** With nothing published for this long, something is wrong: say so rather than wait forever. */
const STALL_MS = 120_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until every event written so far — and every event their consumers wrote in turn — has
 * been published and handled. Progress is what the operators see (`GET /api/admin/events/status`):
 * events published since the phase began against those still in the outbox, with the deliveries
 * the consumers handled alongside.
 */
export async function deliverEvents(
  app: FastifyInstance,
  api: SeedApi,
  staffToken: string,
  progress: SeedProgress,
  label = 'delivering events',
): Promise<void> {
  const { events } = app.platform;
  const status = async () => {
    await events.flushConsumedCounts();
    return (await api.get<EventsTotals>('/api/admin/events/status', staffToken)).totals;
  };
  let first = await status();
  if (first.pending === 0 && (await busIdle(app))) {
    first = await status();
    if (first.pending === 0) return;
  }
  let now = first;
  const phase = progress.phase(label, first.pending, 'events');
  let lastMove = Date.now();
  for (;;) {
    const idle = now.pending === 0 && (await busIdle(app));
    if (idle) {
      // The consumers may have written events of their own while the bus emptied.
      now = await status();
      if (now.pending === 0) break;
    }
    events.relay.wake();
    await sleep(POLL_MS);
    const next = await status();
    if (next.published !== now.published || next.consumed !== now.consumed) lastMove = Date.now();
    else if (Date.now() - lastMove > STALL_MS)
      throw new Error(
        `events stopped moving with ${next.pending} still in the outbox (npm run events -- status)`,
      );
    now = next;
    const published = now.published - first.published;
    phase.update(published, published + now.pending, `(${now.consumed - first.consumed} handled)`);
  }
  phase.finish();
}

/** In memory the deliveries run in this process: wait for them. On RabbitMQ, give the broker a moment. */
async function busIdle(app: FastifyInstance): Promise<boolean> {
  const { bus } = app.platform.events;
  if (bus instanceof MemoryEventBus) await bus.idle();
  else await sleep(POLL_MS);
  return true;
}
