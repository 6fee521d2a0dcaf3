import cliProgress from 'cli-progress';

export interface SeedStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** One phase of the seed: a count that moves towards a total (the total may grow as work appears). */
export interface Phase {
  update(value: number, total?: number, detail?: string): void;
  advance(by?: number): void;
  finish(): void;
}

/** Lines mode says where a phase is at most this often, and at every quarter. */
const LINE_EVERY_MS = 5_000;

/**
 * On a terminal each phase is a bar redrawn in place (on stderr, so stdout stays the report);
 * elsewhere (CI, a pipe, a test) a phase is a few plain lines: its start, each quarter, its end.
 */
export class SeedProgress {
  constructor(
    private readonly io: SeedStreams,
    private readonly mode: 'auto' | 'bar' | 'lines',
  ) {}

  private get bars(): boolean {
    return this.mode === 'bar' || (this.mode === 'auto' && this.io.stderr.isTTY === true);
  }

  phase(label: string, total: number, unit = ''): Phase {
    return this.bars ? this.barPhase(label, total, unit) : this.linePhase(label, total, unit);
  }

  private barPhase(label: string, initialTotal: number, unit: string): Phase {
    const bar = new cliProgress.SingleBar(
      {
        stream: this.io.stderr,
        format: `${label.padEnd(20)} |{bar}| {value}/{total} ${unit} {detail}| {duration}s`,
        hideCursor: true,
        noTTYOutput: this.mode === 'bar',
      },
      cliProgress.Presets.shades_classic,
    );
    let value = 0;
    let total = initialTotal;
    bar.start(Math.max(total, 1), 0, { detail: '' });
    return {
      update(next, nextTotal, detail = '') {
        value = next;
        if (nextTotal !== undefined && nextTotal !== total) {
          total = nextTotal;
          bar.setTotal(Math.max(total, 1));
        }
        bar.update(value, { detail });
      },
      advance(by = 1) {
        this.update(value + by);
      },
      finish() {
        bar.update(Math.max(total, value));
        bar.stop();
      },
    };
  }

  private linePhase(label: string, initialTotal: number, unit: string): Phase {
    const write = (text: string) => this.io.stderr.write(`${label}: ${text}\n`);
    let value = 0;
    let total = initialTotal;
    let quarter = 0;
    let saidAt = Date.now();
    write(`0/${total} ${unit}`.trimEnd());
    return {
      update(next, nextTotal, detail = '') {
        value = next;
        total = nextTotal ?? total;
        const reached = total === 0 ? 4 : Math.floor((value / total) * 4);
        if (reached > quarter && reached < 4) quarter = reached;
        else if (Date.now() - saidAt < LINE_EVERY_MS) return;
        saidAt = Date.now();
        write(`${value}/${total} ${unit} ${detail}`.trimEnd());
      },
      advance(by = 1) {
        this.update(value + by);
      },
      finish() {
        write(`${Math.max(total, value)}/${Math.max(total, value)} ${unit} done`.replace(/ +/g, ' '));
      },
    };
  }
}
