/** Options for {@link FlowControl}. */
export interface FlowControlOptions {
  /** Pause the producer when this many bytes are sent but not acknowledged. */
  highWatermark: number;
  /** Resume it when acknowledgements bring the unacknowledged count down to this. */
  lowWatermark: number;
  pause: () => void;
  resume: () => void;
}

/**
 * End-to-end flow control (as in Tabby and VS Code): the producer (pty, SSH channel, exec
 * socket) is paused while the client has more than `highWatermark` bytes it has not yet
 * rendered, and resumed once it catches up to `lowWatermark`. Without it a `cat` of a big file
 * fills the transport and the renderer's queue faster than xterm can draw, and the UI freezes.
 */
export class FlowControl {
  private unacknowledged = 0;
  private pausedValue = false;

  constructor(private readonly options: FlowControlOptions) {
    if (options.lowWatermark >= options.highWatermark) throw new Error('lowWatermark must be below highWatermark');
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  get pending(): number {
    return this.unacknowledged;
  }

  /** Count bytes sent to the client. */
  sent(byteCount: number): void {
    this.unacknowledged += byteCount;
    if (!this.pausedValue && this.unacknowledged > this.options.highWatermark) {
      this.pausedValue = true;
      this.options.pause();
    }
  }

  /**
   * Starts counting again from what the client says it has not yet acknowledged (a client that
   * reconnects: output sent while it was away never arrived, and acknowledgements it sent then
   * were lost), pausing or resuming the producer to match.
   */
  reset(unacknowledged: number): void {
    this.unacknowledged = Math.max(0, unacknowledged);
    if (this.pausedValue && this.unacknowledged <= this.options.lowWatermark) {
      this.pausedValue = false;
      this.options.resume();
    } else if (!this.pausedValue && this.unacknowledged > this.options.highWatermark) {
      this.pausedValue = true;
      this.options.pause();
    }
  }

  /** Count bytes the client has rendered. More than was sent is clamped (a second window acknowledging too). */
  acknowledge(byteCount: number): void {
    this.unacknowledged = Math.max(0, this.unacknowledged - byteCount);
    if (this.pausedValue && this.unacknowledged <= this.options.lowWatermark) {
      this.pausedValue = false;
      this.options.resume();
    }
  }
}
