import { afterAll, beforeAll } from 'vitest';
import { RabbitEventBus } from '../../src/platform/events/rabbitmq-bus.js';
import { busContractSuite } from '../platform/bus-contract.js';
import { createVhost, peekQueue, silentLogger, type TestVhost } from './rabbit-broker.js';

let vhost: TestVhost;
beforeAll(async () => {
  vhost = await createVhost();
});
afterAll(async () => vhost?.drop());

busContractSuite('rabbitmq', async (policy) => {
  const bus = new RabbitEventBus({ url: vhost.url, ...policy, logger: silentLogger });
  return {
    bus,
    deadLetters: async (queue) =>
      (await peekQueue(vhost.url, `${queue}.dlq`)).map((message) => String(message.properties.messageId)),
    cleanup: () => bus.close(),
  };
});
