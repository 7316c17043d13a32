import { AppError } from '../../shared/errors';
import type { CommandExecutor, ExecOptions } from './ssh-connection';

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
