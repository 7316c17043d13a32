import type { IPty } from 'node-pty';
import type { TerminalExit, TerminalSize } from '../../shared/contract/terminals';
import { isAlive, killSession, sessionProcesses, signalSession } from './process-session';
import type { SpawnPty } from './spawn-pty';
import type { TerminalProcess } from './terminal-process';

/** node-pty can report the exit before the last output has been read; give that output a moment. */
const EXIT_DRAIN_MS = 30;

/** Signal numbers node-pty reports, as names. */
const signalNames: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 6: 'SIGABRT', 9: 'SIGKILL', 15: 'SIGTERM' };

/** The user's login shell: $SHELL, then the account's shell, then /bin/sh (cmd/PowerShell on Windows). */
export function userShell(env: NodeJS.ProcessEnv, accountShell: string | null | undefined): string {
  if (process.platform === 'win32') return env.COMSPEC ?? 'powershell.exe';
  return env.SHELL || accountShell || '/bin/sh';
}

/** A program on a local pty, its whole session killed on close. */
export class LocalShell implements TerminalProcess {
  private readonly pty: IPty;
  private readonly exitListeners: ((exit: TerminalExit) => void)[] = [];
  private exited: Promise<void>;
  private paused = false;

  constructor(
    spawnPty: SpawnPty,
    file: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; size: TerminalSize },
  ) {
    this.pty = spawnPty(file, args, { cwd: options.cwd, env: options.env, cols: options.size.cols, rows: options.size.rows });
    this.exited = new Promise((resolve) => {
      this.pty.onExit(({ exitCode, signal }) => {
        // A paused pty would keep its last output: read it before reporting the exit.
        if (this.paused) this.pty.resume();
        setTimeout(() => {
          const exit: TerminalExit = signal ? { exitCode: null, signal: signalNames[signal] ?? `signal ${signal}` } : { exitCode };
          for (const listener of this.exitListeners) listener(exit);
          resolve();
        }, EXIT_DRAIN_MS);
      });
    });
  }

  get pid(): number {
    return this.pty.pid;
  }

  onData(listener: (chunk: Buffer) => void): void {
    // encoding: null makes node-pty hand over Buffers, although its typings say string.
    this.pty.onData((data) => listener(data as unknown as Buffer));
  }

  onExit(listener: (exit: TerminalExit) => void): void {
    this.exitListeners.push(listener);
  }

  write(data: string): void {
    this.pty.write(data);
  }

  resize(size: TerminalSize): void {
    try {
      this.pty.resize(size.cols, size.rows);
    } catch {
      // The pty is already closed; nothing to resize.
    }
  }

  pause(): void {
    this.paused = true;
    this.pty.pause();
  }

  resume(): void {
    this.paused = false;
    this.pty.resume();
  }

  async kill(): Promise<void> {
    if (isAlive(this.pty.pid)) await killSession(this.pty.pid);
    else signalSession(sessionProcesses(this.pty.pid), 'SIGKILL');
    await this.exited;
  }

  killNow(): void {
    signalSession(sessionProcesses(this.pty.pid), 'SIGKILL');
  }
}
