import { logLineGenerator } from './log-lines.js';

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
 * been written, so a log nobody reads costs nothing. Only each line's time is kept: its text
 * follows from its index and time, and is made when a reader needs it (keeping thousands of
 * strings costs far more garbage collection than making them again).
 */
export class ContainerLog {
  /** Write times of the kept lines; times[0] is line {@link firstIndex}. */
  private times: number[] = [];
  private first = 0;
  private lastAdvance: number;
  private carry = 0;
  private rate: number;
  private readonly line: (index: number, time: Date) => string;

  constructor(private readonly options: ContainerLogOptions) {
    this.line = logLineGenerator(options.seed);
    const now = options.now ?? Date.now();
    this.rate = options.linesPerSecond;
    const step = options.historyLines > 0 ? (options.historySeconds * 1_000) / options.historyLines : 0;
    for (let i = options.historyLines; i > 0; i -= 1) this.times.push(now - Math.round(i * step));
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
      for (let i = 1; i <= count; i += 1) this.times.push(this.lastAdvance + Math.round((elapsed * i) / count));
      this.lastAdvance = now;
      const excess = this.times.length - this.options.maxLines;
      // Rotation drops a tenth at a time, so dropping stays rare.
      if (excess > 0) this.drop(excess + Math.ceil(this.options.maxLines / 10));
    }
    return this.next;
  }

  /** Index of the oldest line still kept. */
  get firstIndex(): number {
    return this.first;
  }

  /** Index after the newest line. */
  get next(): number {
    return this.first + this.times.length;
  }

  /**
   * Index of the first line to show for kubelet's tailLines and since (epoch ms), applied in
   * kubelet's order: the last tailLines lines, then only those not older than since.
   */
  startFor(query: { tailLines?: number; since?: number }): number {
    let index = query.tailLines !== undefined ? Math.max(this.first, this.next - query.tailLines) : this.first;
    if (query.since !== undefined) {
      while (index < this.next && (this.times[index - this.first] ?? 0) < query.since) index += 1;
    }
    return index;
  }

  /** Lines from `index` (or the oldest kept, if that was rotated away) to the newest. */
  from(index: number): LogEntry[] {
    const entries: LogEntry[] = [];
    for (let i = Math.max(index, this.first); i < this.next; i += 1) {
      const time = this.times[i - this.first] as number;
      entries.push({ index: i, time, text: this.line(i, new Date(time)) });
    }
    return entries;
  }

  private drop(count: number): void {
    this.times = this.times.slice(count);
    this.first += count;
  }
}

/** kubelet's timestamp format: RFC 3339 with exactly nine fraction digits. */
export function kubeletTimestamp(time: number): string {
  return new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}
