import { AppError } from '../../shared/errors';
import { remoteCommandLine } from './shell-quote';
import type { CommandExecutor, ExecOptions, ExecResult } from './ssh-connection';

/** Options for a command built from an argument list. */
export type RunOptions = ExecOptions;

/** Run a program from an argument list; every argument is quoted, nothing is pasted. */
export async function runArgv(executor: CommandExecutor, argv: readonly string[], options: RunOptions = {}): Promise<ExecResult> {
  return executor.exec(remoteCommandLine(argv), options);
}

/**
 * Run a script by sending it over stdin to `bash -s`, so its text never appears on a command
 * line (no quoting pitfalls, nothing secret in `ps`). `args` become $1, $2... inside the script.
 */
export async function runScript(
  executor: CommandExecutor,
  script: string,
  options: RunOptions & { args?: readonly string[]; interpreter?: 'bash' | 'sh' } = {},
): Promise<ExecResult> {
  const { args = [], interpreter = 'bash', stdin, ...rest } = options;
  if (stdin !== undefined) {
    throw new AppError('INVALID_ARGUMENT', 'runScript sends the script itself on stdin; pass data as arguments instead.');
  }
  return executor.exec(remoteCommandLine([interpreter, '-s', '--', ...args]), { ...rest, stdin: script });
}

/**
 * The result if the command exited 0, else PROGRAM_FAILED naming what failed with the end of
 * its stderr (commands Nestlab runs never receive secrets as arguments, so stderr cannot echo one).
 */
export function requireSuccess(result: ExecResult, what: string): ExecResult {
  if (result.exitCode === 0) return result;
  if (result.exitCode === 127) {
    throw new AppError('PROGRAM_MISSING', `${what} failed: a program it needs is not installed on the host. ${tail(result.stderr)}`, {
      exitCode: 127,
    });
  }
  throw new AppError(
    'PROGRAM_FAILED',
    `${what} failed with exit code ${String(result.exitCode ?? result.exitSignal)}: ${tail(result.stderr)}`,
    {
      exitCode: result.exitCode,
      stderr: tail(result.stderr),
    },
  );
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > 600 ? `…${trimmed.slice(-600)}` : trimmed;
}
