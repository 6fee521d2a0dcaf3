/**
 * Runs `work` again and again while started: each run `intervalMs` after the previous one ended
 * (never two at once), the first one interval after `start()`. `stop()` cancels the next run and
 * waits for the one under way; a long run ends early by running its batches through `drain` (or by
 * looking at `stopping`). `work` handles its own failures: a rejection is ignored here and the next
 * run is scheduled all the same. The timer does not hold the process open.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** True once `stop()` was called (until the next `start()`). */
  get stopping(): boolean {
    return this.stopped;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /**
   * A sweep's batches: runs `batch` (which handles at most `limit` rows and answers how many it
   * found) again until it finds fewer, or the task is stopping; answers the rows found in all.
   */
  async drain(batch: () => Promise<number>, limit: number): Promise<number> {
    let total = 0;
    for (;;) {
      const found = await batch();
      total += found;
      if (found < limit || this.stopped) return total;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.work()
        .catch(() => {})
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }
}
