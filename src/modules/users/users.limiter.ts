interface Window {
  attempts: number;
  resetsAt: number;
}

export interface LimiterOptions {
  maxAttempts: number;
  windowSeconds: number;
  /** A bound on remembered keys, so a spray of names cannot grow memory without end. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * Counts failed attempts per key in a fixed window, in this process only (Kong adds its own limit
 * in deployment). An attempt is counted when it starts and given back when it succeeds, so many
 * attempts racing in parallel cannot slip past the limit before the first of them has failed.
 */
export class AttemptLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(private readonly options: LimiterOptions) {
    this.now = options.now ?? Date.now;
    this.maxKeys = options.maxKeys ?? 100_000;
  }

  /**
   * Counts an attempt on every key and answers 0, or, when a key is already at its limit, counts
   * nothing and answers the seconds until that key's window ends.
   */
  acquire(keys: readonly string[]): number {
    const now = this.now();
    let wait = 0;
    for (const key of keys) {
      const window = this.current(key, now);
      if (window && window.attempts >= this.options.maxAttempts) {
        wait = Math.max(wait, Math.ceil((window.resetsAt - now) / 1000));
      }
    }
    if (wait > 0) return wait;
    for (const key of keys) this.count(key, now);
    return 0;
  }

  /** Gives back an attempt that turned out not to be a failure. */
  release(key: string): void {
    const window = this.windows.get(key);
    if (window && window.attempts > 0) window.attempts--;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private count(key: string, now: number): void {
    const window = this.current(key, now);
    if (window) {
      window.attempts++;
      return;
    }
    this.evict(now);
    this.windows.set(key, { attempts: 1, resetsAt: now + this.options.windowSeconds * 1000 });
  }

  private current(key: string, now: number): Window | undefined {
    const window = this.windows.get(key);
    if (window && window.resetsAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /**
   * Every window has the same length and is inserted when it starts, so the map's insertion order
   * is the order of expiry: expired windows, and when full the oldest, are all at the front.
   */
  private evict(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.resetsAt > now && this.windows.size < this.maxKeys) return;
      this.windows.delete(key);
    }
  }
}
