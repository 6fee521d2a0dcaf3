import type { EventEnvelope } from '../../src/platform/events/envelope.js';
import type { EventBus } from '../../src/platform/events/event-bus.js';

/** A bus that keeps what is published, and refuses the next `failNext` publishes as a broker would. */
export function recordingBus(): EventBus & { published: EventEnvelope[]; failNext: number } {
  const published: EventEnvelope[] = [];
  const bus = {
    kind: 'memory' as const,
    published,
    failNext: 0,
    async declare() {},
    async publish(_exchange: string, _key: string, message: EventEnvelope) {
      if (bus.failNext > 0) {
        bus.failNext--;
        throw new Error('broker said no');
      }
      published.push(message);
    },
    async subscribe() {},
    async start() {},
    async pause() {},
    async resume() {},
    isHealthy: () => true,
    async close() {},
  };
  return bus;
}
