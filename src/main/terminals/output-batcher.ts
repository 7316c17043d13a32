import { completeUtf8Length } from './utf8-boundary';

/** Options for {@link OutputBatcher}. */
export interface OutputBatcherOptions {
  /** Emit at most this long after the first byte of a batch arrived (VS Code uses about 5 ms). */
  delayMs: number;
  /**
   * The delay while `clientBusy` says the client is still drawing earlier output. Output that
   * streams faster than the client draws then goes in fewer, larger batches (each one costs a
   * frame header, a transport hop, an event in the renderer and an acknowledgement), while a
   * keystroke's echo on an idle terminal still leaves after `delayMs`.
   */
  busyDelayMs?: number;
  clientBusy?: () => boolean;
  /** Emit at once when a batch reaches this many bytes, so one message stays small. */
  maxBytes: number;
  /** Receives each batch: UTF-8 bytes of whole characters, in a buffer of its own. */
  emit: (data: Uint8Array) => void;
}

/** U+FFFD, what a character cut off by the end of the stream is shown as. */
const replacementCharacter = Uint8Array.of(0xef, 0xbf, 0xbd);

/**
 * Joins the many small reads of a busy pty into few messages: every message costs a frame, a
 * transport hop and an xterm write, so fewer, larger ones are much faster. Batches end on UTF-8
 * character boundaries; an incomplete character is kept for the next batch. Bytes are never
 * decoded here: xterm decodes UTF-8 itself.
 */
export class OutputBatcher {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutputBatcherOptions) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= this.options.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delay());
  }

  /** Emits what is buffered now (whole characters only). */
  flush(): void {
    this.clearTimer();
    if (this.size === 0) return;
    const bytes = this.take();
    const complete = completeUtf8Length(bytes);
    if (complete < bytes.length) {
      const rest = bytes.slice(complete);
      this.chunks = [rest];
      this.size = rest.length;
    }
    if (complete > 0) this.options.emit(bytes.subarray(0, complete));
  }

  /** Emits everything, an incomplete last character included (as U+FFFD): the stream ended. */
  end(): void {
    this.flush();
    if (this.size > 0) this.options.emit(replacementCharacter.slice());
    this.chunks = [];
    this.size = 0;
  }

  /** Drops anything buffered without emitting it. */
  dispose(): void {
    this.clearTimer();
    this.chunks = [];
    this.size = 0;
  }

  private delay(): number {
    const { delayMs, busyDelayMs, clientBusy } = this.options;
    return busyDelayMs !== undefined && clientBusy?.() === true ? busyDelayMs : delayMs;
  }

  /**
   * Everything buffered, in one buffer of its own: the pty's reads are views into larger
   * buffers, and a view would carry all of its buffer through Electron's structured clone.
   */
  private take(): Uint8Array {
    const bytes = new Uint8Array(this.size);
    let offset = 0;
    for (const chunk of this.chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    this.chunks = [];
    this.size = 0;
    return bytes;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
