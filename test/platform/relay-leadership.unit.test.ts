import { describe, expect, it } from 'vitest';
import { type LeadershipOptions, RelayLeadership } from '../../src/platform/events/relay-leadership.js';
import { FakeSessions, gate, manualClock, settleDown } from './relay-fakes.js';

const POLL_MS = 100;

function leadershipOn(sessions: FakeSessions, overrides: Partial<LeadershipOptions> = {}) {
  const clock = manualClock();
  const heard: string[] = [];
  let canPublish = true;
  const leadership = new RelayLeadership({
    destinations: ['orders_events', 'queue:cart.orders_events'],
    openSession: sessions.open,
    canPublish: () => canPublish,
    pollMs: POLL_MS,
    settle: async () => {},
    onNotified: () => heard.push('rung'),
    now: clock.now,
    ...overrides,
  });
  return {
    leadership,
    clock,
    heard,
    busDown: () => {
      canPublish = false;
    },
    busUp: () => {
      canPublish = true;
    },
  };
}

describe('the outbox relay: leadership', () => {
  it('when driven through its life, then it goes none → standby → leading → lost → leading → none, bidding only when due', async () => {
    const sessions = new FakeSessions();
    const rival = await sessions.open();
    await rival.tryLock(['orders_events', 'queue:cart.orders_events']);
    const { leadership, clock } = leadershipOn(sessions);
    expect(leadership.state).toBe('none');
    expect(leadership.lease).toBeUndefined();

    // none → standby: a session, listening; its first bid finds both locks taken.
    await leadership.lead(false);
    expect(leadership.state).toBe('standby');
    expect(leadership.lease).toBeUndefined();

    // The holder goes quietly (no notification): the standby waits for its poll interval.
    await rival.close();
    await leadership.lead(false);
    expect(leadership.state).toBe('standby');
    clock.advance(POLL_MS * 0.9);
    await leadership.lead(false);
    expect(leadership.state).toBe('leading');
    expect(leadership.leadsAll).toBe(true);
    expect(leadership.lease?.destinations).toEqual(['orders_events', 'queue:cart.orders_events']);
    expect(leadership.lease?.session).toBe(sessions.opened[1]);

    // leading → lost: the connection drops, and the locks with it.
    sessions.opened[1]!.lose();
    expect(leadership.state).toBe('lost');

    // lost → leading: another session, which bids at once.
    await leadership.lead(false);
    expect(sessions.opened).toHaveLength(3);
    expect(leadership.state).toBe('leading');
    expect(leadership.lease?.session).toBe(sessions.opened[2]);

    // → none: it lets go, says so, and closes.
    await leadership.release();
    expect(leadership.state).toBe('none');
    expect(sessions.locks.size).toBe(0);
    expect(sessions.log.slice(-3)).toEqual(['s3 unlockAll', 's3 notify released', 's3 close']);
    expect(sessions.log.filter((call) => call.includes('tryLock'))).toEqual([
      's1 tryLock orders_events,queue:cart.orders_events',
      's2 tryLock orders_events,queue:cart.orders_events',
      's2 tryLock orders_events,queue:cart.orders_events',
      's3 tryLock orders_events,queue:cart.orders_events',
    ]);
  });

  it('when asked to lead now, then it bids whatever the poll interval, and only for what it does not hold', async () => {
    const sessions = new FakeSessions();
    const rival = await sessions.open();
    await rival.tryLock(['queue:cart.orders_events']);
    const { leadership } = leadershipOn(sessions);
    await leadership.lead(false);
    expect([leadership.state, leadership.leadsAll]).toEqual(['leading', false]);
    await rival.close();
    await leadership.lead(true);
    expect(leadership.leadsAll).toBe(true);
    expect(sessions.log.filter((call) => call.startsWith('s2 tryLock'))).toEqual([
      's2 tryLock orders_events,queue:cart.orders_events',
      's2 tryLock queue:cart.orders_events',
    ]);
  });

  it('when a holder stops, then it unlocks before it notifies, so the standby that bids on the notification finds the locks free at once', async () => {
    const sessions = new FakeSessions();
    const holder = leadershipOn(sessions);
    await holder.leadership.lead(false);
    let freeWhenHeard: boolean | undefined;
    const standby = leadershipOn(sessions, {
      onNotified: () => {
        freeWhenHeard ??= sessions.locks.size === 0;
      },
    });
    await standby.leadership.lead(false);
    expect(standby.leadership.state).toBe('standby');

    await holder.leadership.release();
    await settleDown();
    expect(freeWhenHeard).toBe(true);
    expect(sessions.log.filter((call) => call.startsWith('s1'))).toEqual([
      's1 tryLock orders_events,queue:cart.orders_events',
      's1 unlockAll',
      's1 notify released',
      's1 close',
    ]);
    // No time has passed: only the notification explains the bid.
    await standby.leadership.lead(false);
    expect(standby.leadership.state).toBe('leading');
  });

  it('when another relay only rings (rows waiting), then a standby is woken but does not bid before its poll', async () => {
    const sessions = new FakeSessions();
    const holder = leadershipOn(sessions);
    await holder.leadership.lead(false);
    const standby = leadershipOn(sessions);
    await standby.leadership.lead(false);
    await standby.leadership.ring();
    await settleDown();
    expect(holder.heard).toEqual(['rung']);
    expect(standby.heard).toEqual(['rung']);
    await standby.leadership.lead(false);
    expect(sessions.log.filter((call) => call.startsWith('s2 tryLock'))).toHaveLength(1);
  });

  it('when its bus cannot publish, then a holder lets go the same way (unlock, then notify) and bids for nothing until the bus is back', async () => {
    const sessions = new FakeSessions();
    const { leadership, clock, busDown, busUp } = leadershipOn(sessions);
    await leadership.lead(false);
    expect(leadership.state).toBe('leading');

    busDown();
    await leadership.lead(false);
    expect(leadership.state).toBe('standby');
    expect(sessions.locks.size).toBe(0);
    expect(sessions.log).toEqual([
      's1 tryLock orders_events,queue:cart.orders_events',
      's1 unlockAll',
      's1 notify released',
      's1 close',
    ]);
    clock.advance(POLL_MS * 10);
    await leadership.lead(true);
    expect(leadership.state).toBe('standby');
    expect(sessions.log.filter((call) => call.startsWith('s2'))).toEqual([]);

    busUp();
    await leadership.lead(false);
    expect(leadership.state).toBe('leading');
  });

  it('when the session is lost with marks under way, then no new session opens (and reads) until they have landed', async () => {
    const sessions = new FakeSessions();
    const marks = gate();
    const { leadership } = leadershipOn(sessions, { settle: () => marks.promise });
    await leadership.lead(false);
    sessions.opened[0]!.lose();

    let led = false;
    const leading = leadership.lead(false).then(() => {
      led = true;
    });
    await settleDown();
    expect([led, sessions.opened.length, leadership.lease]).toEqual([false, 1, undefined]);
    marks.open();
    await leading;
    expect(sessions.opened).toHaveLength(2);
    expect(leadership.state).toBe('leading');
    // Nothing was sent on the lost session: its locks went with it.
    expect(sessions.log.filter((call) => call.startsWith('s1'))).toEqual([
      's1 tryLock orders_events,queue:cart.orders_events',
      's1 close',
    ]);
  });

  it('when a new session cannot listen, then it is closed and the failure is the caller’s; the next lead starts afresh', async () => {
    const sessions = new FakeSessions();
    const { leadership } = leadershipOn(sessions);
    sessions.failNextListen = true;
    await expect(leadership.lead(false)).rejects.toThrow('LISTEN failed');
    expect(leadership.state).toBe('none');
    expect(sessions.log).toEqual(['s1 close']);
    await leadership.lead(false);
    expect(leadership.state).toBe('leading');
  });

  it('when it stops holding nothing, then it tells no one', async () => {
    const sessions = new FakeSessions();
    const rival = await sessions.open();
    await rival.tryLock(['orders_events', 'queue:cart.orders_events']);
    const { leadership } = leadershipOn(sessions);
    await leadership.lead(false);
    await leadership.release();
    expect(sessions.log.filter((call) => call.startsWith('s2'))).toEqual([
      's2 tryLock orders_events,queue:cart.orders_events',
      's2 close',
    ]);
  });
});
