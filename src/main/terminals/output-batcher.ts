import { completeUtf8Length } from './utf8-boundary';

/** Options for {@link OutputBatcher}. */
export interface OutputBatcherOptions {
  /** Emit at most this long after the first byte of a batch arrived (VS Code uses about 5 ms). */
  delayMs: number;
  /** Emit at once when a batch reaches this many bytes, so one message stays small. */
  maxBytes: number;
  /** Receives each batch as whole characters. */
  emit: (data: string) => void;
}

/**
 * Joins the many small reads of a busy pty into few messages: every message costs a JSON
 * envelope, a transport hop and an xterm write, so fewer, larger ones are much faster. Batches
 * end on UTF-8 character boundaries; an incomplete character is kept for the next batch.
 */
export class OutputBatcher {
  private chunks: Buffer[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(private readonly options: OutputBatcherOptions) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= this.options.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.options.delayMs);
  }

  /** Emits what is buffered now (whole characters only). */
  flush(): void {
    this.clearTimer();
    if (this.size === 0) return;
    const bytes = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    const complete = completeUtf8Length(bytes);
    const rest = bytes.subarray(complete);
    this.chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.size = rest.length;
    if (complete > 0) this.options.emit(this.decoder.decode(bytes.subarray(0, complete)));
  }

  /** Emits everything, an incomplete last character included (as U+FFFD): the stream ended. */
  end(): void {
    this.flush();
    if (this.size > 0) this.options.emit(this.decoder.decode(Buffer.concat(this.chunks)));
    this.chunks = [];
    this.size = 0;
  }

  /** Drops anything buffered without emitting it. */
  dispose(): void {
    this.clearTimer();
    this.chunks = [];
    this.size = 0;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
