import { execFile } from 'node:child_process';
import { AppError } from '../../shared/errors';

export interface ProgramResult {
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  /** Output beyond this many bytes (stdout and stderr each) fails the run. */
  maxBytes?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program from an argument list (never a shell); the one place that spawns helpers. */
export type RunProgram = (file: string, args: readonly string[], options?: RunOptions) => Promise<ProgramResult>;

export const runProgram: RunProgram = (file, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      { timeout: options.timeoutMs ?? 10_000, maxBuffer: options.maxBytes ?? 1024 * 1024, env: options.env, windowsHide: true },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          return reject(new AppError('PROGRAM_MISSING', `${file} was not found. Install it or check PATH.`, { file }));
        }
        if (error.killed) {
          return reject(new AppError('TIMEOUT', `${file} did not finish within ${options.timeoutMs ?? 10_000} ms.`, { file }));
        }
        reject(new AppError('PROGRAM_FAILED', `${file} failed: ${firstLine(stderr) || error.message}`, { file }));
      },
    );
  });

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
