import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A child process running in its own process group, with output appended to a log file. */
export interface ManagedProcess {
  readonly name: string;
  /** PID of the process, which is also its process-group id. */
  readonly pid: number;
  readonly logPath: string;
  /** Resolves with the exit code (or null when killed by a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  isRunning(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<void>;
}

/**
 * Tracks the process groups of one control plane so that nothing outlives the test run:
 * - a `pids` file in the control plane's folder, read by a watchdog shell that kills the groups
 *   and removes the folder when the Node process disappears (even on SIGKILL, where no JavaScript
 *   hook runs);
 * - a synchronous `exit` hook for the ordinary case of a test process exiting without stop().
 */
export class ProcessGroupSet {
  private readonly running = new Map<number, ManagedProcess>();
  private readonly pidFile: string;
  private watchdogPid: number | undefined;

  constructor(
    private readonly dir: string,
    private readonly removeDirOnExit: boolean,
  ) {
    this.pidFile = join(dir, 'pids');
    writeFileSync(this.pidFile, '');
    liveSets.add(this);
    installExitHook();
    this.startWatchdog();
  }

  /** Spawns `command` in a new process group, logging to `<dir>/logs/<name>.log`. */
  start(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ManagedProcess {
    const logPath = join(this.dir, 'logs', `${name}.log`);
    const fd = openSync(logPath, 'a');
    let child;
    try {
      child = spawn(command, args, {
        detached: true, // own process group: one kill reaches everything it may have started
        stdio: ['ignore', fd, fd],
        env: env ?? process.env,
      });
    } finally {
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      throw new Error(`could not start ${name} (${command})`);
    }
    let running = true;
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        running = false;
        this.running.delete(pid);
        this.writePidFile();
        resolve(code);
      });
      child.once('error', () => {
        running = false;
        this.running.delete(pid);
        resolve(null);
      });
    });
    const managed: ManagedProcess = {
      name,
      pid,
      logPath,
      exited,
      isRunning: () => running,
      stop: async (options = {}) => {
        if (!running) return;
        signalGroup(pid, options.signal ?? 'SIGTERM');
        const graceMs = options.graceMs ?? 10_000;
        const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
        // The leader is gone; make sure no other member of its group survives.
        signalGroup(pid, 'SIGKILL');
      },
    };
    this.running.set(pid, managed);
    this.writePidFile();
    return managed;
  }

  /** PIDs of the processes that are still running. */
  pids(): number[] {
    return [...this.running.keys()];
  }

  /** Stops every process (in parallel), then the watchdog. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => p.stop()));
    this.dispose();
  }

  /** Synchronous last resort for the exit hook: SIGKILL every group. */
  killAllSync(): void {
    for (const pid of this.running.keys()) signalGroup(pid, 'SIGKILL');
    this.running.clear();
    this.dispose();
    if (this.removeDirOnExit) rmSync(this.dir, { recursive: true, force: true });
  }

  private dispose(): void {
    if (this.watchdogPid !== undefined) signalGroup(this.watchdogPid, 'SIGKILL');
    this.watchdogPid = undefined;
    liveSets.delete(this);
  }

  private writePidFile(): void {
    try {
      writeFileSync(
        this.pidFile,
        this.pids()
          .map((pid) => `${pid}\n`)
          .join(''),
      );
    } catch {
      // The folder is already gone (stop() removed it); nothing left to guard.
    }
  }

  private startWatchdog(): void {
    const script = [
      'parent=$1; pidfile=$2; dir=$3; remove=$4',
      'while kill -0 "$parent" 2>/dev/null; do sleep 1; done',
      'if [ -f "$pidfile" ]; then while read -r pg; do kill -KILL "-$pg" 2>/dev/null; done < "$pidfile"; fi',
      '[ "$remove" = 1 ] && rm -rf "$dir"',
    ].join('\n');
    const watchdog = spawn(
      '/bin/sh',
      ['-c', script, 'nestlab-harness-watchdog', String(process.pid), this.pidFile, this.dir, this.removeDirOnExit ? '1' : '0'],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
    this.watchdogPid = watchdog.pid;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

const liveSets = new Set<ProcessGroupSet>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const set of [...liveSets]) set.killAllSync();
  });
}

/** Last `lines` lines of a log file, for error messages. */
export function tailFile(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** True while a process with this PID exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
