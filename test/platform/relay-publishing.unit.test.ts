import { describe, expect, it } from 'vitest';
import type { Lease } from '../../src/platform/events/relay-leadership.js';
import { RelayPublishing, WINDOW, WINDOW_BATCHES } from '../../src/platform/events/relay-publishing.js';
import { ELSEWHERE, FakeBus, FakeOutbox, FakeSessions, gate, settleDown } from './relay-fakes.js';

const EXCHANGE = 'orders_events';

async function setUp(options: { batchSize?: number; rows?: number } = {}) {
  const sessions = new FakeSessions();
  const session = await sessions.open();
  const outbox = new FakeOutbox();
  outbox.add(EXCHANGE, options.rows ?? 0);
  const bus = new FakeBus();
  const errors: string[] = [];
  const publishing = new RelayPublishing({
    rows: outbox,
    elsewhere: () => ELSEWHERE,
    bus,
    queues: [{ queue: 'cart.orders_events', exchange: EXCHANGE, patterns: ['#'] }],
    batchSize: options.batchSize ?? 3,
    onError: (error) => errors.push(String(error instanceof Error ? error.message : error)),
  });
  const lease: Lease = { session, destinations: [EXCHANGE, 'queue:cart.orders_events'] };
  return { session, outbox, bus, errors, publishing, lease };
}

describe('the outbox relay: publishing', () => {
  it('when rows are published, then each goes unread → in flight → published, and at most four batches wait for their confirms', async () => {
    const { outbox, bus, publishing, lease } = await setUp({ rows: 14, batchSize: 3 });
    bus.holdConfirms = true;

    expect(await publishing.next(lease)).toEqual({ fresh: 3, more: true });
    expect([publishing.batchesInFlight, publishing.rowsInFlight]).toEqual([1, 3]);
    expect(outbox.unpublishedIds()).toHaveLength(14);
    await publishing.next(lease);
    await publishing.next(lease);
    expect([publishing.batchesInFlight, publishing.rowsInFlight]).toEqual([3, 9]);

    // The fourth batch fills the window: handing it over waits until one batch is settled.
    let handed = false;
    const fourth = publishing.next(lease).then((outcome) => {
      handed = true;
      return outcome;
    });
    await settleDown();
    expect([handed, WINDOW, bus.rows()]).toEqual([false, 4, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]]);
    bus.confirm(3);
    expect(await fourth).toEqual({ fresh: 3, more: true });
    expect(outbox.unpublishedIds()).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    expect(outbox.marks).toEqual([{ on: 's1', ids: [1, 2, 3] }]);

    // The last batch is short: nothing more after it.
    const last = publishing.next(lease);
    bus.confirm();
    expect(await last).toEqual({ fresh: 2, more: false });
    bus.confirm();
    await publishing.settled();
    expect([publishing.batchesInFlight, publishing.rowsInFlight]).toEqual([0, 0]);
    expect(outbox.unpublishedIds()).toEqual([]);
    expect(await publishing.next(lease)).toEqual({ fresh: 0, more: false });
    expect(bus.rows()).toEqual(Array.from({ length: 14 }, (_, n) => n + 1));
  });

  it('when batches are small, then the window counts their rows: up to four full batches’ worth, in at most 32 batches', async () => {
    // Batches of 3: room for 12 rows, handed over one row per batch (a busy shop's passes).
    const small = await setUp({ batchSize: 3 });
    small.bus.holdConfirms = true;
    for (let row = 1; row <= 11; row++) {
      small.outbox.add(EXCHANGE);
      expect(await small.publishing.next(small.lease)).toEqual({ fresh: 1, more: false });
    }
    small.outbox.add(EXCHANGE);
    let handed = false;
    const twelfth = small.publishing.next(small.lease).then(() => {
      handed = true;
    });
    await settleDown();
    expect([handed, small.publishing.batchesInFlight, small.publishing.rowsInFlight]).toEqual([
      false,
      12,
      12,
    ]);
    small.bus.confirm(1);
    await twelfth;
    expect(small.publishing.rowsInFlight).toBe(11);

    // Batches of 100: room for 400 rows, but no more than WINDOW_BATCHES batches.
    const many = await setUp({ batchSize: 100 });
    many.bus.holdConfirms = true;
    for (let batch = 1; batch < WINDOW_BATCHES; batch++) {
      many.outbox.add(EXCHANGE);
      await many.publishing.next(many.lease);
    }
    many.outbox.add(EXCHANGE);
    handed = false;
    const last = many.publishing.next(many.lease).then(() => {
      handed = true;
    });
    await settleDown();
    expect([handed, many.publishing.batchesInFlight, WINDOW_BATCHES]).toEqual([false, 32, 32]);
    many.bus.confirm();
    await last;
    many.bus.confirm();
    await many.publishing.settled();
    expect(many.outbox.unpublishedIds()).toEqual([]);
  });

  it('when rows are still in flight as a new pass reads, then they are skipped and the batch makes room for them', async () => {
    const { outbox, bus, publishing, lease } = await setUp({ rows: 7, batchSize: 3 });
    bus.holdConfirms = true;
    await publishing.next(lease);
    publishing.rewind();
    expect(await publishing.next(lease)).toEqual({ fresh: 3, more: true });
    expect(outbox.reads.map((read) => [read.after, read.limit])).toEqual([
      [0, 3],
      [0, 6],
    ]);
    expect(bus.rows()).toEqual([1, 2, 3, 4, 5, 6]);
    bus.confirm();
    await publishing.settled();
  });

  it('when a row commits after rows with later ids were published, then the next pass (from the start) finds it', async () => {
    const { outbox, bus, publishing, lease } = await setUp();
    outbox.add(EXCHANGE, 1, 5);
    outbox.add(EXCHANGE, 1, 6);
    await publishing.next(lease);
    await publishing.settled();
    outbox.add(EXCHANGE, 1, 2);
    expect(await publishing.next(lease)).toEqual({ fresh: 0, more: false });
    publishing.rewind();
    expect(await publishing.next(lease)).toEqual({ fresh: 1, more: false });
    await publishing.settled();
    expect(bus.rows()).toEqual([5, 6, 2]);
  });

  it('when a mark lands while a read is on its way, then the rows in flight when the read was sent are skipped, whenever the answers arrive', async () => {
    const { outbox, bus, publishing, lease } = await setUp({ rows: 2 });
    outbox.markHold = gate();
    await publishing.next(lease);
    expect(publishing.rowsInFlight).toBe(2);

    // The next pass's read sees rows 1 and 2 unpublished: their mark has not committed yet.
    outbox.readHold = gate();
    publishing.rewind();
    const read = publishing.next(lease);
    await settleDown();
    // The mark commits and its rows settle; only then does the read's answer arrive.
    outbox.markHold.open();
    await publishing.settled();
    expect(publishing.rowsInFlight).toBe(0);
    outbox.readHold.open();
    expect(await read).toEqual({ fresh: 0, more: false });
    expect(bus.rows()).toEqual([1, 2]);
  });

  it('when the session is lost while a read is on its way, then its answer is dropped: nothing is published on a lock no longer held', async () => {
    const { session, outbox, bus, publishing, lease } = await setUp({ rows: 2 });
    outbox.readHold = gate();
    const read = publishing.next(lease);
    await settleDown();
    session.lose();
    outbox.readHold.open();
    expect(await read).toEqual({ fresh: 0, more: false });
    expect(bus.rows()).toEqual([]);
    expect(await publishing.next(lease)).toEqual({ fresh: 0, more: false });
    expect(outbox.reads).toHaveLength(1);
  });

  it('when the session is lost before a confirmed batch is marked, then the mark is written elsewhere, once', async () => {
    const { session, outbox, bus, publishing, lease, errors } = await setUp({ rows: 4, batchSize: 2 });
    bus.holdConfirms = true;
    await publishing.next(lease);
    session.lose();
    bus.confirm();
    await publishing.settled();
    expect(outbox.marks).toEqual([{ on: 'elsewhere', ids: [1, 2] }]);
    expect([outbox.unpublishedIds(), errors]).toEqual([[3, 4], []]);

    // Elsewhere fails too: said, not tried again; the rows stay for a later publish.
    const again = await setUp({ rows: 2 });
    again.bus.holdConfirms = true;
    await again.publishing.next(again.lease);
    again.session.lose();
    again.outbox.failMarksOn.add('elsewhere');
    again.bus.confirm();
    await again.publishing.settled();
    expect(again.outbox.marks).toEqual([{ on: 'elsewhere', ids: [1, 2] }]);
    expect([again.outbox.unpublishedIds(), again.errors, again.publishing.rowsInFlight]).toEqual([
      [1, 2],
      ['mark on elsewhere failed'],
      0,
    ]);
  });

  it('when the session refuses a mark while it lives, then the failure is said and the mark is not sent elsewhere', async () => {
    const { outbox, publishing, lease, errors } = await setUp({ rows: 2 });
    outbox.failMarksOn.add('s1');
    await publishing.next(lease);
    await publishing.settled();
    expect(outbox.marks).toEqual([{ on: 's1', ids: [1, 2] }]);
    expect([outbox.unpublishedIds(), errors, publishing.rowsInFlight]).toEqual([
      [1, 2],
      ['mark on s1 failed'],
      0,
    ]);
  });

  it('when the session is lost while a mark is on its way, then the mark it refused is written elsewhere', async () => {
    const { session, outbox, publishing, lease, errors } = await setUp({ rows: 2 });
    outbox.markHold = gate();
    outbox.failMarksOn.add('s1');
    await publishing.next(lease);
    await settleDown();
    session.lose();
    outbox.markHold.open();
    await publishing.settled();
    expect(outbox.marks.map((mark) => mark.on)).toEqual(['s1', 'elsewhere']);
    expect([outbox.unpublishedIds(), errors]).toEqual([[], []]);
  });

  it('when the broker refuses a publish, then the batch’s other rows are marked published, the refused ones get the error, and failures count until a batch goes through', async () => {
    const { outbox, bus, publishing, lease, errors } = await setUp({ rows: 3 });
    bus.refuseNext = 1;
    await publishing.next(lease);
    await publishing.settled();
    expect(outbox.marks).toEqual([
      { on: 's1', ids: [2, 3] },
      { on: 's1', ids: [1], error: 'Error: broker said no' },
    ]);
    expect([outbox.unpublishedIds(), errors, publishing.failedBatches]).toEqual([[1], ['broker said no'], 1]);
    publishing.rewind();
    await publishing.next(lease);
    await publishing.settled();
    expect([outbox.unpublishedIds(), publishing.failedBatches]).toEqual([[], 0]);
    expect(bus.rows()).toEqual([1, 2, 3, 1]);
  });

  it('when a row is addressed to one queue (a replay), then it goes to that queue alone, through its exchange', async () => {
    const { outbox, bus, publishing, lease } = await setUp();
    outbox.add('queue:cart.orders_events');
    outbox.add('queue:unknown.queue');
    await publishing.next(lease);
    await publishing.settled();
    expect(bus.published).toEqual([{ row: 1, exchange: EXCHANGE, queue: 'cart.orders_events' }]);
  });

  it('when there is no lease or its session is closed, then nothing is read', async () => {
    const { session, outbox, publishing, lease } = await setUp({ rows: 1 });
    expect(await publishing.next(undefined)).toEqual({ fresh: 0, more: false });
    expect(await publishing.next({ session, destinations: [] })).toEqual({ fresh: 0, more: false });
    session.lose();
    expect(await publishing.next(lease)).toEqual({ fresh: 0, more: false });
    expect(outbox.reads).toEqual([]);
  });
});
