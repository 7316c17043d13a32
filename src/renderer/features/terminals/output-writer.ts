/** Options for {@link OutputWriter}. */
export interface OutputWriterOptions {
  /** xterm's write: `parsed` runs once xterm has processed `data`. */
  write: (data: Uint8Array, parsed: () => void) => void;
  /** This many bytes are drawn: lets the producer go on (end-to-end flow control). */
  acknowledge: (byteCount: number) => void;
  /** While output streams, hand xterm at most one write per this many ms. */
  minIntervalMs: number;
  /** The most one write hands xterm (it parses one write without yielding to input). */
  maxWriteBytes: number;
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Feeds a terminal's output batches to xterm. xterm draws in the animation frames after each
 * parse (rows, the selection layer and its scrollbar, often in separate frames), and with the DOM
 * renderer one frame of a scrolling 120x40 terminal costs about as much CPU as parsing 300-400 KB
 * (measured with bench/terminal-xterm.ts). Written as it arrives, a stream spends most of its
 * time drawing frames nobody can read. So output that arrives while xterm is still parsing, or
 * sooner than `minIntervalMs` after the last write, is joined into one larger write of up to
 * `maxWriteBytes` (written as soon as xterm is free once that much is queued): a stream is drawn
 * about once per write, and a keystroke's echo on an idle terminal is written at once.
 */
export class OutputWriter {
  private queue: Uint8Array[] = [];
  private queued = 0;
  /** Bytes handed to xterm and not yet parsed; 0 when xterm is idle. */
  private parsing = 0;
  private lastWrite = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private disposed = false;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(private readonly options: OutputWriterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  push(data: Uint8Array): void {
    if (this.disposed || data.byteLength === 0) return;
    this.queue.push(data);
    this.queued += data.byteLength;
    this.schedule();
  }

  /**
   * Drops what is queued (the terminal is going away) but acknowledges it, and what xterm had
   * not parsed yet, so the producer is not left paused waiting for a pane that is gone.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== undefined) this.clearTimer(this.timer);
    this.timer = undefined;
    const unacknowledged = this.queued + this.parsing;
    this.queue = [];
    this.queued = 0;
    if (unacknowledged > 0) this.options.acknowledge(unacknowledged);
  }

  private schedule(): void {
    if (this.parsing > 0 || this.queued === 0) return;
    // A full write is waiting: joining more cannot make it larger, so it goes as soon as xterm
    // is free. (Waiting the interval here capped a stream at maxWriteBytes per interval:
    // 1 MiB / 50 ms = 20 MiB/s, below what a pty delivers.)
    if (this.queued >= this.options.maxWriteBytes) {
      if (this.timer !== undefined) this.clearTimer(this.timer);
      this.timer = undefined;
      this.writeQueued();
      return;
    }
    if (this.timer !== undefined) return;
    const wait = this.lastWrite + this.options.minIntervalMs - this.now();
    if (wait <= 0) {
      this.writeQueued();
      return;
    }
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.writeQueued();
    }, wait);
  }

  private writeQueued(): void {
    const data = this.take(this.options.maxWriteBytes);
    this.parsing = data.byteLength;
    this.lastWrite = this.now();
    this.options.write(data, () => {
      if (this.disposed) return;
      this.parsing = 0;
      this.options.acknowledge(data.byteLength);
      this.schedule();
    });
  }

  /** Up to `limit` bytes from the front of the queue, joined (xterm decodes UTF-8 across writes). */
  private take(limit: number): Uint8Array {
    const first = this.queue[0]!;
    if (first.byteLength >= limit || this.queue.length === 1) {
      const data = first.byteLength > limit ? first.subarray(0, limit) : first;
      if (data === first) this.queue.shift();
      else this.queue[0] = first.subarray(limit);
      this.queued -= data.byteLength;
      return data;
    }
    let size = 0;
    let count = 0;
    while (count < this.queue.length && size + this.queue[count]!.byteLength <= limit) size += this.queue[count++]!.byteLength;
    if (count === 1) {
      this.queued -= size;
      return this.queue.shift()!;
    }
    const data = new Uint8Array(size);
    let offset = 0;
    for (const chunk of this.queue.splice(0, count)) {
      data.set(chunk, offset);
      offset += chunk.byteLength;
    }
    this.queued -= size;
    return data;
  }
}
