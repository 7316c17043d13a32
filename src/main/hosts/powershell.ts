import { AppError } from '../../shared/errors';
import type { CommandExecutor, ExecOptions } from './ssh-connection';

/**
 * The characters PowerShell's tokenizer takes as a single quote: the ASCII apostrophe and the
 * typographic ones U+2018-U+201B (‘ ’ ‚ ‛), any of which opens or closes a single-quoted string
 * (System.Management.Automation.Language.CharExtensions.IsSingleQuote).
 */
export const POWERSHELL_SINGLE_QUOTES = ["'", '\u2018', '\u2019', '\u201a', '\u201b'] as const;

const singleQuote = /['\u2018-\u201b]/g;

/**
 * A PowerShell single-quoted literal: nothing inside is expanded, and every character PowerShell
 * reads as a single quote is doubled (inside a single-quoted string, such a character followed by
 * another one stands for the second), so no value can close the string early: a file named
 * x’;Start-Process calc;’ stays a file name.
 *
 * @throws AppError INVALID_ARGUMENT for a NUL character (PowerShell ends the script there).
 */
export function psLiteral(value: string): string {
  if (value.includes('\0')) {
    throw new AppError(
      'INVALID_ARGUMENT',
      'A value for a PowerShell script contains a NUL character, which PowerShell cannot take. Remove it.',
    );
  }
  return `'${value.replace(singleQuote, (quote) => quote + quote)}'`;
}

/** PowerShell's -EncodedCommand format: base64 of the script as UTF-16LE. */
export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

/**
 * The command line that runs a script on a Windows host through its OpenSSH server. The script
 * travels encoded, so neither cmd.exe nor PowerShell parses user text from the command line.
 * Windows caps a command line at 32,767 characters: scripts up to about 12,000 characters fit.
 */
export function powerShellCommand(script: string): string {
  const encoded = encodePowerShell(script);
  if (encoded.length > 32_000) {
    throw new AppError(
      'INVALID_ARGUMENT',
      'The PowerShell script is too long for one Windows command line; split it into smaller scripts.',
    );
  }
  return `powershell -NoProfile -NonInteractive -EncodedCommand ${encoded}`;
}

/**
 * Run a script whose output is JSON (end it with `| ConvertTo-Json -Depth 6 -Compress`) and
 * return the parsed value.
 *
 * @throws AppError PROGRAM_FAILED with PowerShell's stderr when it exits non-zero;
 *   INVALID_INPUT when the output is not JSON.
 */
export async function runPowerShellJson(executor: CommandExecutor, script: string, options: ExecOptions = {}): Promise<unknown> {
  const result = await executor.exec(powerShellCommand(script), options);
  if (result.exitCode !== 0) {
    throw new AppError('PROGRAM_FAILED', `PowerShell failed (exit ${String(result.exitCode)}): ${result.stderr.trim().slice(-600)}`, {
      exitCode: result.exitCode,
    });
  }
  try {
    return JSON.parse(result.stdout) as unknown;
  } catch {
    throw new AppError('INVALID_INPUT', `PowerShell did not return JSON: ${result.stdout.trim().slice(0, 200)}`);
  }
}

/** The suffix of the temporary file a PowerShell write goes to before it is moved over its target. */
export const PS_TEMP_SUFFIX = '.nestlab-tmp';

/**
 * PowerShell lines that write a file whole or not at all: `Set-Content` into a temporary file
 * beside the target, then `Move-Item -Force` over it (same folder, so a rename). A script cut off
 * mid-write (a dropped SSH connection ends PowerShell) leaves the old file or none, never a
 * truncated one that a resume checking only `Test-Path` would keep.
 *
 * @param target a PowerShell expression for the path (a literal or a parenthesised expression)
 * @param value a PowerShell expression for the content (a psLiteral or a variable)
 */
export function psWriteFileLines(target: string, value: string, options: { encoding: 'ascii' | 'utf8'; noNewline?: boolean }): string[] {
  const temp = `(${target} + '${PS_TEMP_SUFFIX}')`;
  return [
    `Set-Content -LiteralPath ${temp} -Encoding ${options.encoding}${options.noNewline === true ? ' -NoNewline' : ''} -Value ${value}`,
    `Move-Item -LiteralPath ${temp} -Destination ${target} -Force`,
  ];
}
