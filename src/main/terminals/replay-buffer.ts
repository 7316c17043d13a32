/**
 * How much recent output each terminal keeps for a client that reconnects. A WebSocket that
 * drops for a few seconds (a laptop's Wi-Fi, a server restart in browser mode) misses what a busy
 * shell printed meanwhile: 1 MiB is some 15,000 lines of kubectl output, far more than a
 * terminal's screen and most of its default 5,000-line scrollback, yet small beside the 4 MiB
 * flow-control window (which bounds what a client can be behind anyway) and cheap for a handful
 * of tabs. Output beyond it is gone for that client, and the client is told how much.
 */
export const defaultReplayBytes = 1024 * 1024;

/** One batch as it was sent: its seq and bytes. */
export interface ReplayBatch {
  seq: number;
  data: Uint8Array;
}

/** What a client that has seen everything through `afterSeq` missed. */
export interface ReplayFrom {
  /** Batches after `afterSeq` still kept, in seq order. */
  batches: ReplayBatch[];
  /** Bytes of output after the client's position that are no longer kept; 0 when nothing is lost. */
  lostBytes: number;
  /** The last seq that is lost (the client moves on to it); `afterSeq` when nothing is lost. */
  lostThroughSeq: number;
}

/**
 * The last `maxBytes` of a terminal's output batches, keyed by seq, for replay after a client
 * reconnects. Batches are kept whole (a replayed batch is the same bytes under the same seq, so a
 * client drops what it already has); the newest batch is always kept, even if larger.
 */
export class ReplayBuffer {
  private batches: ReplayBatch[] = [];
  /** Index of the oldest kept batch in `batches` (dropped ones are spliced out in bulk). */
  private head = 0;
  private keptBytes = 0;
  /** Seq of the newest batch dropped for space, and the stream's byte count through it. */
  private droppedThroughSeq = 0;
  private droppedThroughBytes = 0;

  constructor(private readonly maxBytes = defaultReplayBytes) {
    if (!(maxBytes > 0)) throw new Error('A replay buffer needs a positive size.');
  }

  /** The seq of the newest batch, 0 before the first. */
  get lastSeq(): number {
    return this.batches.at(-1)?.seq ?? this.droppedThroughSeq;
  }

  /** Bytes kept now. */
  get size(): number {
    return this.keptBytes;
  }

  /** Keeps a batch; seqs must follow each other (1, 2, 3...). */
  append(batch: ReplayBatch): void {
    if (batch.seq !== this.lastSeq + 1) throw new Error(`Replay batch ${batch.seq} does not follow ${this.lastSeq}.`);
    this.batches.push(batch);
    this.keptBytes += batch.data.byteLength;
    while (this.keptBytes > this.maxBytes && this.batches.length - this.head > 1) {
      const dropped = this.batches[this.head++]!;
      this.keptBytes -= dropped.data.byteLength;
      this.droppedThroughSeq = dropped.seq;
      this.droppedThroughBytes += dropped.data.byteLength;
    }
    // Compact now and then rather than shifting an array on every batch.
    if (this.head > 1024 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * What a client missed after `afterSeq`. `receivedBytes` is how many bytes of this stream the
   * client has had through `afterSeq` (or was told were lost): it sizes a loss when the batches
   * after `afterSeq` are no longer kept.
   */
  from(afterSeq: number, receivedBytes: number): ReplayFrom {
    const kept = this.batches.slice(this.head);
    const batches = kept.filter((batch) => batch.seq > afterSeq);
    if (afterSeq >= this.droppedThroughSeq) return { batches, lostBytes: 0, lostThroughSeq: afterSeq };
    return {
      batches,
      lostBytes: Math.max(0, this.droppedThroughBytes - receivedBytes),
      lostThroughSeq: this.droppedThroughSeq,
    };
  }
}

/** The line a terminal shows where output was lost: dim, on a line of its own. */
export function lostOutputNotice(lostBytes: number): string {
  return `\r\n\x1b[2m[nestlab: ${formatBytes(lostBytes)} of output was lost while disconnected]\x1b[0m\r\n`;
}

/** 512 bytes, 12.3 KB, 4.0 MB (multiples of 1024). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
