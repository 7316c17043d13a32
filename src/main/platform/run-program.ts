import { spawn } from 'node:child_process';
import { AppError } from '../../shared/errors';

export interface ProgramResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Output beyond this many bytes (stdout and stderr each) stops the program and fails the run. */
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
  /** After the time limit: how long SIGTERM is given before SIGKILL. Default 2 s. */
  killGraceMs?: number;
}

/** Runs a program from an argument list (never a shell); the one place that spawns helpers. */
export type RunProgram = (file: string, args: readonly string[], options?: RunOptions) => Promise<ProgramResult>;

/** What runProgram needs from the operating system; tests give another platform or spawn. */
export interface ProcessHost {
  platform: NodeJS.Platform;
  spawn: typeof spawn;
}

/**
 * On POSIX the program runs in a process group of its own, so stopping it (time limit, too much
 * output) stops what it started too: SIGTERM to the group, then SIGKILL after a grace period for a
 * program that ignores SIGTERM. Windows has no process groups or SIGTERM (Node's kill is
 * TerminateProcess of that one process, leaving its children running): there the whole tree is
 * ended at once with `taskkill /PID <pid> /T /F`. Its output is read up to the limit and never
 * beyond.
 */
export function createRunProgram(host: ProcessHost = { platform: process.platform, spawn }): RunProgram {
  const isWindows = host.platform === 'win32';
  return (file, args, options = {}) =>
    new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const maxBytes = options.maxBytes ?? 1024 * 1024;
      const graceMs = options.killGraceMs ?? 2_000;
      const child = host.spawn(file, [...args], {
        env: options.env,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
        detached: !isWindows,
      });
      const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
      const sizes = { stdout: 0, stderr: 0 };
      let stopped: AppError | undefined;
      let killTimer: ReturnType<typeof setTimeout> | undefined;

      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          if (!isWindows && child.pid !== undefined) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // Already gone.
        }
      };
      /** Windows: the program and every process it started, forcibly (its own kill if taskkill cannot run). */
      const killTree = () => {
        if (child.pid === undefined) return signalGroup('SIGKILL');
        const taskkill = host.spawn('taskkill', ['/PID', String(child.pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
        taskkill.on('error', () => signalGroup('SIGKILL'));
        taskkill.on('exit', (code) => {
          if (code !== 0) signalGroup('SIGKILL');
        });
      };
      /** Stops the program (and its group or tree) once; the run fails with `error` when it has exited. */
      const stop = (error: AppError) => {
        if (stopped !== undefined) return;
        stopped = error;
        clearTimeout(timer);
        if (isWindows) return killTree();
        signalGroup('SIGTERM');
        killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
        killTimer.unref?.();
      };

      const timer = setTimeout(
        () => stop(new AppError('TIMEOUT', `${file} did not finish within ${timeoutMs} ms and was stopped.`, { file })),
        timeoutMs,
      );
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream].on('data', (chunk: Buffer) => {
          if (stopped !== undefined) return;
          sizes[stream] += chunk.length;
          if (sizes[stream] > maxBytes) {
            stop(
              new AppError(
                'PROGRAM_FAILED',
                `${file} printed more than ${formatBytes(maxBytes)} on ${stream} and was stopped; what it prints is read only up to that size.`,
                { file, reason: 'output-too-large', stream },
              ),
            );
            return;
          }
          output[stream].push(chunk);
        });
      }

      let settled = false;
      const finish = (error: AppError | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (killTimer !== undefined) clearTimeout(killTimer);
        if (error !== undefined) return reject(error);
        resolve({ stdout: Buffer.concat(output.stdout).toString('utf8'), stderr: Buffer.concat(output.stderr).toString('utf8') });
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') finish(new AppError('PROGRAM_MISSING', `${file} was not found. Install it or check PATH.`, { file }));
        else finish(new AppError('PROGRAM_FAILED', `${file} could not be started (${error.code ?? error.message}).`, { file }));
      });
      // A stopped program fails as soon as it exits; its pipes may stay open in children it left.
      child.on('exit', () => {
        if (stopped === undefined) return;
        // Whatever is left of its group goes too (on Windows taskkill ended the tree already).
        if (!isWindows) signalGroup('SIGKILL');
        child.stdout.destroy();
        child.stderr.destroy();
        finish(stopped);
      });
      child.on('close', (code, signal) => {
        if (stopped !== undefined) return finish(stopped);
        if (code === 0) return finish(undefined);
        const stderr = firstLine(Buffer.concat(output.stderr).toString('utf8'));
        const how = signal === null ? `exit code ${code ?? '?'}` : `signal ${signal}`;
        finish(new AppError('PROGRAM_FAILED', `${file} failed (${how}): ${stderr || 'it printed no error'}`, { file }));
      });
    });
}

export const runProgram: RunProgram = createRunProgram();

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes} bytes`;
}
