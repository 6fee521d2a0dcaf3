import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ordersContract } from '../../src/modules/orders/contract.js';
import { productsSubscriptions } from '../../src/modules/products/products.subscribers.js';
import { on } from '../../src/platform/events/contracts.js';
import type { ModuleContract } from '../../src/platform/events/envelope.js';
import { subscribedQueue } from '../helpers/subscribed-queue.js';

const things = {
  exchange: 'probe_events',
  events: [
    { routingKey: 'thing.created', payload: Type.Object({ thing_id: Type.Integer() }), description: '' },
    { routingKey: 'thing.updated', payload: Type.Object({ thing_id: Type.Integer() }), description: '' },
  ],
} as const satisfies ModuleContract;

const nothing = async () => {};

/** What a queue's subscriptions tell its batching: shared rows, and whether they are locked in order. */
describe('a queue whose handlers share rows', () => {
  it('when every handler sharing rows locks them in order, then the queue may apply two batches at once', () => {
    const { options } = subscribedQueue([
      on(things, 'thing.created', nothing, { sharedRows: true, locksInOrder: true }),
      on(things, 'thing.updated', nothing, { sharedRows: true, locksInOrder: true }),
    ]);
    expect(options).toMatchObject({ sharedRows: true, locksInOrder: true });
  });

  it('when one handler shares rows without locking them in order, then the queue applies one batch at a time', () => {
    const { options } = subscribedQueue([
      on(things, 'thing.created', nothing, { sharedRows: true, locksInOrder: true }),
      on(things, 'thing.updated', nothing, { sharedRows: true }),
    ]);
    expect(options).toMatchObject({ sharedRows: true, locksInOrder: false });
  });

  it('when the products module takes orders, then its reservations and releases lock in order', () => {
    const { options } = subscribedQueue(
      productsSubscriptions.filter((subscription) => subscription.exchange === ordersContract.exchange),
    );
    expect(options).toMatchObject({ sharedRows: true, locksInOrder: true });
  });
});
