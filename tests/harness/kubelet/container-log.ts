import { logLine } from './log-lines.js';

/** One written log line: when, and the text without the newline. */
export interface LogEntry {
  index: number;
  time: number;
  text: string;
}

/** Options of a simulated container's log. */
export interface ContainerLogOptions {
  /** Seed of the line sequence: the same seed gives the same messages. */
  seed: string;
  /** Lines already written when the log is first looked at, spread over {@link historySeconds}. */
  historyLines: number;
  historySeconds: number;
  /** Lines per second written from then on (0 stops it). */
  linesPerSecond: number;
  /** Older lines are dropped beyond this many, as log rotation would. */
  maxLines: number;
  now?: number;
}

/**
 * The log of one instance of a simulated container: history, then lines "written" at a steady
 * rate. Lines are produced lazily (when someone reads or follows), at the times they would have
 * been written, so a log nobody reads costs nothing.
 */
export class ContainerLog {
  private readonly entries: LogEntry[] = [];
  private next = 0;
  private lastAdvance: number;
  private carry = 0;
  private rate: number;

  constructor(private readonly options: ContainerLogOptions) {
    const now = options.now ?? Date.now();
    this.rate = options.linesPerSecond;
    const step = options.historyLines > 0 ? (options.historySeconds * 1_000) / options.historyLines : 0;
    for (let i = options.historyLines; i > 0; i -= 1) this.push(now - Math.round(i * step));
    this.lastAdvance = now;
  }

  get linesPerSecond(): number {
    return this.rate;
  }

  /** Changes the rate from now on (lines due at the old rate are written first). */
  setRate(linesPerSecond: number, now = Date.now()): void {
    this.advance(now);
    this.rate = linesPerSecond;
  }

  /** Writes the lines due by `now`; returns the index after the last line. */
  advance(now = Date.now()): number {
    const elapsed = now - this.lastAdvance;
    if (elapsed > 0) {
      const due = (elapsed * this.rate) / 1_000 + this.carry;
      const count = Math.floor(due);
      this.carry = due - count;
      for (let i = 1; i <= count; i += 1) this.push(this.lastAdvance + Math.round((elapsed * i) / count));
      this.lastAdvance = now;
    }
    return this.next;
  }

  /** Index of the oldest line still kept. */
  get firstIndex(): number {
    return this.entries[0]?.index ?? this.next;
  }

  /** Lines from `index` (or the oldest kept, if that was rotated away) to the newest. */
  from(index: number): LogEntry[] {
    const start = Math.max(0, index - this.firstIndex);
    return this.entries.slice(start);
  }

  /** Every kept line (after {@link advance}). */
  all(): LogEntry[] {
    return this.entries.slice();
  }

  private push(time: number): void {
    const index = this.next;
    this.next += 1;
    this.entries.push({ index, time, text: logLine(this.options.seed, index, new Date(time)) });
    if (this.entries.length > this.options.maxLines) this.entries.splice(0, Math.ceil(this.options.maxLines / 10));
  }
}

/** kubelet's timestamp format: RFC 3339 with exactly nine fraction digits. */
export function kubeletTimestamp(time: number): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}
