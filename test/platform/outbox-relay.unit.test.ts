import { afterEach, describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../src/platform/events/outbox-relay.js';
import { FakeBus, FakeOutbox, FakeSessions, fakeDatabase, gate, settleDown } from './relay-fakes.js';

const EXCHANGE = 'orders_events';

/** The relay that runs the two parts, on fakes: when passes and flushes run, and when they stop. */
describe('the outbox relay: passes and flushes', () => {
  const relays: OutboxRelay[] = [];
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  function relayOn(sessions: FakeSessions, outbox: FakeOutbox, bus = new FakeBus(), batchSize = 2) {
    const database = fakeDatabase(sessions);
    const errors: unknown[] = [];
    const relay = new OutboxRelay(database, bus, {
      exchanges: [EXCHANGE],
      batchSize,
      pollMs: 60_000,
      onError: (error) => errors.push(error),
      rows: outbox,
    });
    relays.push(relay);
    return { relay, bus, database, errors };
  }

  it('when the broker refuses a batch, then a flush takes no batch after it, leaving the rest to later passes', async () => {
    const sessions = new FakeSessions();
    const outbox = new FakeOutbox();
    outbox.add(EXCHANGE, 20);
    const { relay, bus } = relayOn(sessions, outbox);
    bus.holdConfirms = true;
    const flushing = relay.flush();
    await settleDown();
    // Four batches wait for their confirms: the window is full.
    expect(outbox.reads).toHaveLength(4);
    // The first batch is refused: the flush reads no fifth.
    bus.refuse(2);
    await settleDown();
    expect(outbox.reads).toHaveLength(4);
    bus.holdConfirms = false;
    bus.confirm();
    await flushing;
    expect(outbox.reads).toHaveLength(4);
    expect(outbox.unpublishedIds()).toEqual([1, 2, ...Array.from({ length: 12 }, (_, n) => n + 9)]);
    await relay.flush();
    expect(outbox.unpublishedIds()).toEqual([]);
  });

  it('when the relay stops during a flush, then the flush ends after its current batch and the locks are let go', async () => {
    const sessions = new FakeSessions();
    const outbox = new FakeOutbox();
    outbox.add(EXCHANGE, 6);
    const { relay } = relayOn(sessions, outbox);
    outbox.readHold = gate();
    const flushing = relay.flush();
    await settleDown();
    const stopping = relay.stop();
    outbox.readHold.open();
    await Promise.all([flushing, stopping]);
    expect(outbox.reads).toHaveLength(1);
    expect(outbox.unpublishedIds()).toEqual([3, 4, 5, 6]);
    expect(sessions.log.slice(-3)).toEqual(['s1 unlockAll', 's1 notify released', 's1 close']);
  });

  it('when the relay stops with publishes under way, then it waits for their confirms and marks them on its session before letting go', async () => {
    const sessions = new FakeSessions();
    const outbox = new FakeOutbox();
    outbox.add(EXCHANGE, 3);
    const { relay, bus } = relayOn(sessions, outbox);
    bus.holdConfirms = true;
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bus.rows()).toEqual([1, 2, 3]);
    const stopping = relay.stop();
    await settleDown();
    expect(sessions.log).not.toContain('s1 unlockAll');
    bus.confirm();
    await stopping;
    expect(outbox.marks).toEqual([
      { on: 's1', ids: [1, 2] },
      { on: 's1', ids: [3] },
    ]);
    expect(sessions.log.slice(-3)).toEqual(['s1 unlockAll', 's1 notify released', 's1 close']);
  });

  it('when a flush is asked for during a pass, then it runs after the pass, never beside it', async () => {
    const sessions = new FakeSessions();
    const outbox = new FakeOutbox();
    outbox.add(EXCHANGE, 1);
    const { relay, bus } = relayOn(sessions, outbox);
    outbox.readHold = gate();
    relay.start();
    // The first pass is the start's (a timer at 0 ms); its read is held.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outbox.reads).toHaveLength(1);
    outbox.add(EXCHANGE, 1);
    let flushed = false;
    const flushing = relay.flush().then(() => {
      flushed = true;
    });
    await settleDown();
    expect([outbox.reads.length, flushed]).toEqual([1, false]);
    outbox.readHold.open();
    await flushing;
    expect(bus.rows()).toEqual([1, 2]);
    expect(sessions.opened).toHaveLength(1);
  });

  it('when a replica commits, then it rings the holder, which publishes at once; a relay that holds everything rings no one', async () => {
    const sessions = new FakeSessions();
    const outbox = new FakeOutbox();
    const holder = relayOn(sessions, outbox);
    holder.relay.start();
    await holder.relay.flush();
    const replica = relayOn(sessions, outbox);
    replica.relay.start();
    await replica.relay.flush();
    expect(replica.relay.publishing()).toEqual(new Map([[EXCHANGE, false]]));
    const notices = () => sessions.log.filter((call) => call.endsWith(' notify'));
    const before = notices().length;

    outbox.add(EXCHANGE, 1);
    replica.database.commit();
    await settleDown();
    expect(notices().slice(before)).toEqual(['s2 notify']);
    expect(holder.bus.rows()).toEqual([1]);
    expect(replica.bus.rows()).toEqual([]);

    outbox.add(EXCHANGE, 1);
    holder.database.commit();
    await settleDown();
    expect(notices().slice(before)).toEqual(['s2 notify']);
    expect(holder.bus.rows()).toEqual([1, 2]);
  });

  it('when the relay serves nothing, then it opens no session', async () => {
    const sessions = new FakeSessions();
    const relay = new OutboxRelay(fakeDatabase(sessions), new FakeBus(), {
      exchanges: [],
      batchSize: 2,
      pollMs: 10,
      onError: () => {},
      rows: new FakeOutbox(),
    });
    relay.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await relay.flush();
    await relay.stop();
    expect(sessions.opened).toEqual([]);
  });
});
