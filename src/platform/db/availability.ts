import { EventEmitter } from 'node:events';
import { type Backoff, backoffDelay } from '../backoff.js';
import { classifyFailure } from './failures.js';

/** A ping that has not answered in this long counts as failed (a socket that swallows everything). */
const PING_TIMEOUT_MS = 2000;
/** Probes while the database is down: from 100 ms, doubling, to at most 1 s. */
const PROBE: Backoff = { firstMs: 100, maxMs: 1_000 };

/**
 * Whether the database answers now. Whoever meets a failure `report`s it; one that says the
 * database may be unreachable starts a ping (one at a time, however many report). If the ping
 * fails the database is `down` — listeners hear of it (the event consumers pause) — and it is
 * probed, with a capped backoff, until a ping answers: then it is `up` again and listeners hear
 * that too (the consumers resume, the outbox relay is woken). A single terminated connection
 * therefore changes nothing: the ping after it answers.
 */
export class DatabaseAvailability {
  private up = true;
  private checking: Promise<void> | undefined;
  private readonly changes = new EventEmitter();
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(private readonly ping: () => Promise<void>) {
    this.changes.setMaxListeners(0);
  }

  get isUp(): boolean {
    return this.up;
  }

  /** Called with each failure met; checks the database when the failure says it may be away. */
  report(error: unknown): void {
    if (classifyFailure(error) === 'unavailable') void this.check();
  }

  /** Pings now (or joins the ping under way); resolves once the database is known up, or closed. */
  check(): Promise<void> {
    this.checking ??= this.probe().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** `listener(true)` when the database answers again, `listener(false)` when it stops. */
  onChange(listener: (up: boolean) => void): () => void {
    this.changes.on('change', listener);
    return () => this.changes.off('change', listener);
  }

  /** Resolves at once while up; else when the database is back (or this is closed). */
  async whenUp(): Promise<void> {
    if (this.up || this.closed) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.changes.off('change', changed);
        this.changes.off('closed', done);
        resolve();
      };
      const changed = (up: boolean) => {
        if (up) done();
      };
      this.changes.on('change', changed);
      this.changes.once('closed', done);
    });
  }

  close(): void {
    this.closed = true;
    this.wake?.();
    this.changes.emit('closed');
  }

  private async probe(): Promise<void> {
    for (let failures = 0; !this.closed; failures++) {
      if (await this.answers()) {
        this.set(true);
        return;
      }
      this.set(false);
      await this.sleep(backoffDelay(PROBE, failures));
    }
  }

  private async answers(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.ping().then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
        }),
      ]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private set(up: boolean): void {
    if (this.up === up || this.closed) return;
    this.up = up;
    this.changes.emit('change', up);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
