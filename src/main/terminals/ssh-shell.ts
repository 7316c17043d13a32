import type { ClientChannel, PseudoTtyOptions } from 'ssh2';
import type { TerminalExit, TerminalSize } from '../../shared/contract/terminals';
import { AppError } from '../../shared/errors';
import type { TerminalProcess } from './terminal-process';

/**
 * Opens an interactive shell channel with a pty on a lab host's shared SSH connection, and names
 * the host for the tab title. LabHosts (shell, get) is one.
 */
export interface SshShellProvider {
  shell(hostId: string, pty: PseudoTtyOptions): Promise<ClientChannel>;
  get(hostId: string): Promise<{ name: string }>;
}

/** The pty request of an SSH terminal tab. */
export function ptyRequest(size: TerminalSize): PseudoTtyOptions {
  return { term: 'xterm-256color', cols: size.cols, rows: size.rows, width: 0, height: 0 };
}

/** A shell channel behind a tab; closing the tab closes the channel, not the shared connection. */
export class SshShell implements TerminalProcess {
  private readonly exitListeners: ((exit: TerminalExit) => void)[] = [];
  private readonly closed: Promise<void>;
  private exit: TerminalExit = { exitCode: null };

  constructor(private readonly channel: ClientChannel) {
    channel.on('exit', (code: number | null, signal?: string) => {
      this.exit = typeof code === 'number' ? { exitCode: code } : { exitCode: null, ...(signal ? { signal: `SIG${signal}` } : {}) };
    });
    // Errors end in 'close' too; without a listener an 'error' would throw.
    channel.on('error', (error: Error) => {
      this.exit = { exitCode: null, error: new AppError('SSH_DISCONNECTED', `The SSH channel failed: ${error.message}`).toJSON() };
    });
    this.closed = new Promise((resolve) => {
      channel.once('close', () => {
        for (const listener of this.exitListeners) listener(this.exit);
        resolve();
      });
    });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.channel.on('data', listener);
    this.channel.stderr.on('data', listener);
  }

  onExit(listener: (exit: TerminalExit) => void): void {
    this.exitListeners.push(listener);
  }

  write(data: string): void {
    this.channel.write(data);
  }

  resize(size: TerminalSize): void {
    this.channel.setWindow(size.rows, size.cols, 0, 0);
  }

  pause(): void {
    this.channel.pause();
  }

  resume(): void {
    this.channel.resume();
  }

  async kill(): Promise<void> {
    this.killNow();
    await this.closed;
  }

  killNow(): void {
    this.channel.resume();
    this.channel.close();
  }
}
