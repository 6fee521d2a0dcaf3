import type { DatabaseSession } from '../db/session.js';
import { RELAY_CHANNEL } from './outbox.js';

/** The payload of a holder's notification when it lets go of its locks. */
const RELEASED = 'released';

/** What the leadership lends to the publishing: the session that holds the locks, and what they cover. */
export interface Lease {
  readonly session: DatabaseSession;
  readonly destinations: readonly string[];
}

export interface LeadershipOptions {
  /** What this relay may publish: exchanges, and `queue:<name>` for replays. */
  destinations: readonly string[];
  openSession(): Promise<DatabaseSession>;
  /** Whether the bus can publish now: a relay that cannot bids for nothing and lets go of what it holds. */
  canPublish(): boolean;
  /** How often a relay that misses a destination bids for it. */
  pollMs: number;
  /** Resolves when the marks under way have landed: they do before another session reads. */
  settle(): Promise<void>;
  /** Another relay rang: rows are waiting, or a holder let go (then the next `lead` bids at once). */
  onNotified(): void;
  now?: () => number;
}

/**
 * - `none`: no session (before the first `lead`, after `release`);
 * - `standby`: a live session, listening, holding no lock: it bids once per poll interval, at once
 *   when asked or when a holder let go;
 * - `leading`: a live session holding the locks of some or all destinations;
 * - `lost`: the session's connection closed, and its locks with it; the next `lead` lets the marks
 *   under way land, then opens another session, which starts in `standby`.
 */
export type LeadershipState = 'none' | 'standby' | 'leading' | 'lost';

/**
 * The leadership half of the outbox relay: which destinations this process publishes. One relay at
 * a time publishes a destination, the one whose database session holds its advisory lock. Others
 * listen on the relays' channel, ring the holder after their commits, and take over when its session
 * ends (shutdown or crash) or when it lets go because its bus cannot publish.
 */
export class RelayLeadership {
  private session: DatabaseSession | undefined;
  private readonly held = new Set<string>();
  private lastBid = Number.NEGATIVE_INFINITY;
  /** A holder let go of its locks: bid at once rather than at the next poll. */
  private bidNow = false;
  private readonly now: () => number;

  constructor(private readonly options: LeadershipOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get state(): LeadershipState {
    if (!this.session) return 'none';
    if (!this.session.open) return 'lost';
    return this.held.size > 0 ? 'leading' : 'standby';
  }

  /** The session and the destinations it holds, for the publishing; none while nothing is held. */
  get lease(): Lease | undefined {
    if (!this.session || this.held.size === 0) return undefined;
    return { session: this.session, destinations: [...this.held] };
  }

  holds(destination: string): boolean {
    return this.held.has(destination);
  }

  get leadsAll(): boolean {
    return this.held.size === this.options.destinations.length;
  }

  /**
   * Opens a session when there is none (or its connection was lost, and its locks with it), hands
   * over when the bus cannot publish, and bids for the destinations it does not hold: at once when
   * `now`, or when a holder let go, else once per poll interval.
   */
  async lead(now: boolean): Promise<void> {
    const current = this.session;
    if (current && (!current.open || (!this.options.canPublish() && this.held.size > 0))) {
      this.session = undefined;
      // Marks under way land before a new session reads, so no row is read again.
      await this.options.settle();
      await this.letGo(current);
    }
    const session = this.session ?? (await this.open());
    const wanted = this.options.destinations.filter((destination) => !this.held.has(destination));
    // 0.9: the poll timer and the clock may disagree by a millisecond.
    const due = this.now() - this.lastBid >= this.options.pollMs * 0.9;
    if (wanted.length > 0 && this.options.canPublish() && (now || this.bidNow || due)) {
      this.lastBid = this.now();
      this.bidNow = false;
      for (const destination of await session.tryLock(wanted)) this.held.add(destination);
    }
  }

  /** Tells the holders that rows are waiting (after this process's commits, or before a flush). */
  async ring(): Promise<void> {
    await this.session?.notify(RELAY_CHANNEL);
  }

  /** Lets go of the locks, tells the other relays, and ends the session. */
  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await this.letGo(session);
  }

  private async open(): Promise<DatabaseSession> {
    const opened = await this.options.openSession();
    try {
      await opened.listen(RELAY_CHANNEL, (payload) => {
        if (payload === RELEASED) this.bidNow = true;
        this.options.onNotified();
      });
    } catch (error) {
      await opened.close().catch(() => {});
      throw error;
    }
    this.session = opened;
    this.lastBid = Number.NEGATIVE_INFINITY;
    return opened;
  }

  /**
   * Ends a session. Locks it held are let go first, and only then are the other relays told: a
   * standby that bids on the notification finds them free.
   */
  private async letGo(session: DatabaseSession): Promise<void> {
    const held = this.held.size > 0;
    this.held.clear();
    if (held && session.open) {
      try {
        await session.unlockAll();
        await session.notify(RELAY_CHANNEL, RELEASED);
      } catch {
        // The connection is going anyway; its end releases the locks.
      }
    }
    await session.close().catch(() => {});
  }
}
