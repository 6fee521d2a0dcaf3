import type { DeadLetter } from '../../src/platform/events/event-bus.js';
import { MemoryEventBus } from '../../src/platform/events/memory-bus.js';
import { busContractSuite } from './bus-contract.js';

busContractSuite('in-memory', async (policy) => {
  const parked: DeadLetter[] = [];
  const bus = new MemoryEventBus({
    ...policy,
    deadLetter: async (entry) => {
      parked.push(entry);
    },
  });
  return {
    bus,
    deadLetters: async (queue) =>
      parked.filter((entry) => entry.queue === queue).map((entry) => entry.message.event_id),
    cleanup: () => bus.close(),
  };
});
