import WebSocket from 'ws';
import type { ExecStatus } from './exec-status.js';

/** Channels of the Kubernetes WebSocket streaming protocols (kubelet's wsstream). */
export const Channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

/** Exec and attach: v5 adds the close channel (255) that lets a client end stdin; v4 has JSON status. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

/** Above this much unsent output the producer is paused; below a quarter of it, resumed. */
const HIGH_WATER = 4 * 1024 * 1024;

export interface TerminalSize {
  cols: number;
  rows: number;
}

/**
 * One exec or attach connection in the channel protocol: binary messages whose first byte is
 * the channel. Input arrives on 0, resize on 4 (JSON {Width, Height}), and, with v5, a [255, n]
 * message closes channel n. Output goes out on 1 and 2, the final status on 3, then the socket
 * closes normally.
 */
export class ChannelSocket {
  private readonly stdinListeners: ((data: Buffer) => void)[] = [];
  private readonly stdinEndListeners: (() => void)[] = [];
  private readonly resizeListeners: ((size: TerminalSize) => void)[] = [];
  private paused = false;
  /** Called when unsent output piles up / has drained (pause and resume the process). */
  onBackpressure: (pause: boolean) => void = () => undefined;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary || data.length === 0) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === Channel.stdin) {
        if (payload.length > 0) for (const listener of this.stdinListeners) listener(payload);
      } else if (channel === Channel.resize) {
        const size = parseResize(payload);
        if (size !== undefined) for (const listener of this.resizeListeners) listener(size);
      } else if (channel === Channel.close && protocol === 'v5.channel.k8s.io' && payload[0] === Channel.stdin) {
        for (const listener of this.stdinEndListeners) listener();
      }
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  onStdin(listener: (data: Buffer) => void): void {
    this.stdinListeners.push(listener);
  }

  /** The client closed stdin (v5 only; v4 clients can only close the whole socket). */
  onStdinEnd(listener: () => void): void {
    this.stdinEndListeners.push(listener);
  }

  onResize(listener: (size: TerminalSize) => void): void {
    this.resizeListeners.push(listener);
  }

  onClose(listener: () => void): void {
    this.ws.on('close', listener);
  }

  send(channel: number, data: Buffer | string): void {
    if (!this.open) return;
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    this.ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, () => this.checkDrained());
    if (!this.paused && this.ws.bufferedAmount > HIGH_WATER) {
      this.paused = true;
      this.onBackpressure(true);
    }
  }

  /** Sends the final status and closes the socket normally. */
  finish(status: ExecStatus): void {
    this.send(Channel.status, JSON.stringify(status));
    if (this.open) this.ws.close(1000);
  }

  private checkDrained(): void {
    if (this.paused && this.ws.bufferedAmount < HIGH_WATER / 4) {
      this.paused = false;
      this.onBackpressure(false);
    }
  }
}

/**
 * Parses a resize message. Go's encoding/json matches field names case-insensitively, so kubelet
 * takes kubectl's {"Width","Height"} and client-node's {"width","height"} alike; so do we.
 */
function parseResize(payload: Buffer): TerminalSize | undefined {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const field = (name: string): unknown => Object.entries(parsed).find(([key]) => key.toLowerCase() === name)?.[1];
    const [cols, rows] = [field('width'), field('height')];
    if (typeof cols === 'number' && typeof rows === 'number' && cols > 0 && rows > 0) return { cols, rows };
  } catch {
    // A malformed resize is ignored, as kubelet does (it logs it).
  }
  return undefined;
}
