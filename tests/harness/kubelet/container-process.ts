import { spawn as spawnChild } from 'node:child_process';
import { spawn as spawnPty } from 'node-pty';
import type { TerminalSize } from './channel-socket.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | number | null;
}

/** A real process standing in for one running in a container: on a pty (tty=1) or on pipes. */
export interface ContainerProcess {
  readonly pid: number;
  readonly running: boolean;
  onOutput(listener: (channel: 1 | 2, data: Buffer) => void): void;
  onExit(listener: (exit: ProcessExit) => void): void;
  write(data: Buffer): void;
  /** Ends stdin: closes the pipe, or types Ctrl-D on a pty. */
  endInput(): void;
  resize(size: TerminalSize): void;
  pause(): void;
  resume(): void;
  /** Ends the process and its process group (`now`: SIGKILL at once rather than after 2 s of grace). */
  kill(options?: { now?: boolean }): void;
}

export interface ContainerProcessOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  tty: boolean;
  size: TerminalSize;
}

export function startContainerProcess(argv: readonly string[], options: ContainerProcessOptions): ContainerProcess {
  const [file, ...args] = argv as [string, ...string[]];
  return options.tty ? ptyProcess(file, args, options) : pipeProcess(file, args, options);
}

/** A pty child is a session (and process-group) leader; SIGHUP first so shells hang up their jobs. */
function ptyProcess(file: string, args: string[], options: ContainerProcessOptions): ContainerProcess {
  const pty = spawnPty(file, args, {
    name: 'xterm',
    cols: options.size.cols,
    rows: options.size.rows,
    cwd: options.cwd,
    env: options.env,
    encoding: null,
  });
  let running = true;
  const exitListeners: ((exit: ProcessExit) => void)[] = [];
  // node-pty fires onExit once the pty has been read to the end, so no output is lost.
  pty.onExit(({ exitCode, signal }) => {
    running = false;
    const exit = signal !== undefined && signal !== 0 ? { code: null, signal } : { code: exitCode, signal: null };
    for (const listener of exitListeners) listener(exit);
  });
  return {
    pid: pty.pid,
    get running() {
      return running;
    },
    onOutput: (listener) => pty.onData((data) => listener(1, Buffer.from(data as unknown as Uint8Array))),
    onExit: (listener) => exitListeners.push(listener),
    write: (data) => pty.write(data.toString('utf8')),
    endInput: () => pty.write('\x04'),
    resize: (size) => {
      if (running) pty.resize(size.cols, size.rows);
    },
    pause: () => pty.pause(),
    resume: () => pty.resume(),
    kill: (options) => killGroup(pty.pid, () => running, 'SIGHUP', options?.now === true ? 0 : 2_000),
  };
}

/** Detached, so the process leads its own group and one kill reaches what it started. */
function pipeProcess(file: string, args: string[], options: ContainerProcessOptions): ContainerProcess {
  const child = spawnChild(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  let running = child.pid !== undefined;
  const exitListeners: ((exit: ProcessExit) => void)[] = [];
  // 'close' comes after stdout and stderr ended: every byte is out by then.
  child.on('close', (code, signal) => {
    running = false;
    for (const listener of exitListeners) listener({ code, signal });
  });
  child.on('error', () => undefined); // a failed spawn still ends in 'close'
  child.stdin.on('error', () => undefined); // EPIPE when the process stops reading
  return {
    pid: child.pid ?? -1,
    get running() {
      return running;
    },
    onOutput: (listener) => {
      child.stdout.on('data', (data: Buffer) => listener(1, data));
      child.stderr.on('data', (data: Buffer) => listener(2, data));
    },
    onExit: (listener) => exitListeners.push(listener),
    write: (data) => {
      if (child.stdin.writable) child.stdin.write(data);
    },
    endInput: () => child.stdin.end(),
    resize: () => undefined,
    pause: () => {
      child.stdout.pause();
      child.stderr.pause();
    },
    resume: () => {
      child.stdout.resume();
      child.stderr.resume();
    },
    kill: () => {
      if (child.pid !== undefined) killGroup(child.pid, () => running, 'SIGKILL', 0);
    },
  };
}

/** Signals the process group, then SIGKILLs it if the leader still runs `graceMs` later. */
function killGroup(pid: number, running: () => boolean, first: NodeJS.Signals, graceMs: number): void {
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  signal(first);
  if (first === 'SIGKILL') return;
  if (graceMs === 0) signal('SIGKILL');
  else
    setTimeout(() => {
      if (running()) signal('SIGKILL');
    }, graceMs).unref();
}
