/**
 * The batching of one log stream: lines go out at most `delayMs` after the first one waiting, or
 * as soon as `maxLines` wait, merged into timestamp order; a batch also names the containers that
 * joined since the last one. Once closed (the stream stopped) nothing more goes out.
 */
import type { LogBatch, LogLine, LogSourceInfo } from '../../shared/contract/pods';
import { mergeByTimestamp } from './log-lines';

export interface LogBatcherOptions {
  streamId: string;
  delayMs: number;
  maxLines: number;
  emit: (batch: LogBatch) => void;
}

export class LogBatcher {
  /** Lines waiting, per container (pod/container), each in its own order. */
  private pending = new Map<string, LogLine[]>();
  private pendingCount = 0;
  private newSources: LogSourceInfo[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private closed = false;

  constructor(private readonly options: LogBatcherOptions) {}

  /** A line to send: goes out with the next batch, at once when the batch is full. */
  add(line: LogLine): void {
    const key = `${line.pod}/${line.container}`;
    let lines = this.pending.get(key);
    if (!lines) this.pending.set(key, (lines = []));
    lines.push(line);
    this.pendingCount += 1;
    if (this.pendingCount >= this.options.maxLines) this.flush();
    else this.schedule();
  }

  /** A container that joined: named in the next batch. */
  addSource(info: LogSourceInfo): void {
    this.newSources.push(info);
  }

  /** Sends a batch after the delay unless one is due already. */
  schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
  }

  /** Sends what waits now (nothing when nothing waits). */
  flush(): void {
    this.clearTimer();
    if (this.closed || (this.pendingCount === 0 && this.newSources.length === 0)) return;
    const lines = mergeByTimestamp([...this.pending.values()]);
    this.pending = new Map();
    this.pendingCount = 0;
    this.seq += 1;
    const batch: LogBatch = { streamId: this.options.streamId, seq: this.seq, lines };
    if (this.newSources.length > 0) batch.sources = this.newSources;
    this.newSources = [];
    this.options.emit(batch);
  }

  /** Drops what waits and sends nothing more. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    this.pending.clear();
    this.pendingCount = 0;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
