import type { TerminalExit, TerminalSize } from '../../shared/contract/terminals';

/**
 * What the service needs from anything that runs behind a tab: a local pty, an SSH shell
 * channel, or a pod exec stream. Output is raw bytes; the service batches and decodes it.
 */
export interface TerminalProcess {
  onData(listener: (chunk: Buffer) => void): void;
  /** Fires once, after the last output. */
  onExit(listener: (exit: TerminalExit) => void): void;
  write(data: string): void;
  resize(size: TerminalSize): void;
  /** Stop reading output (flow control); the producer blocks once its buffers fill. */
  pause(): void;
  resume(): void;
  /** Ends the process or channel; resolves when it (and everything it started) is gone. */
  kill(): Promise<void>;
  /** Ends it at once without waiting (process exit). */
  killNow(): void;
}
