import { AppError } from '../../shared/errors';
import { remoteCommandLine } from './shell-quote';
import type { CommandExecutor, ExecOptions, ExecResult } from './ssh-connection';

/** Options for {@link runWithSudo}. */
export interface SudoOptions extends ExecOptions {
  /**
   * Asked only after `sudo -n` has said that a password is required, so a password is never
   * sent to a host whose sudo does not ask for one. Return undefined if none is stored.
   */
  password?: () => Promise<string | undefined>;
  /** Label for messages, e.g. the host's name. */
  hostLabel?: string;
}

const passwordRequired = /^sudo: (a password is required|a terminal is required)/m;
const passwordRejected = /incorrect password attempt|Sorry, try again|no password was provided/;

/**
 * Run argv as root. First `sudo -n` (non-interactive); only if sudo answers that a password is
 * required, the password is checked on its own with `sudo -S -k -v` (stdin holds nothing but the
 * password, so a wrong one meets the end of stdin instead of the command's input, which real sudo
 * would otherwise read as the next two attempts and count towards locking the account). Then
 * the command runs with `sudo -S -k`: -k makes sudo read the password line even when it has a
 * cached credential, so the password never reaches the command's stdin. The password never
 * appears on a command line, and is only requested from the caller when sudo really asks.
 *
 * @throws AppError SUDO_REQUIRED when sudo needs a password and none is stored, or refuses it.
 */
export async function runWithSudo(executor: CommandExecutor, argv: readonly string[], options: SudoOptions = {}): Promise<ExecResult> {
  const { password, hostLabel = 'the host', ...exec } = options;
  const first = await executor.exec(remoteCommandLine(['sudo', '-n', '--', ...argv]), exec);
  if (first.exitCode === 127 && /sudo: (command )?not found/.test(first.stderr)) {
    throw new AppError(
      'PROGRAM_MISSING',
      `sudo is not installed on ${hostLabel}. Install it (apt-get install sudo) or connect as a user that can run the command.`,
    );
  }
  if (first.exitCode !== 1 || !passwordRequired.test(first.stderr)) return first;
  const secret = await password?.();
  if (secret === undefined) {
    throw new AppError(
      'SUDO_REQUIRED',
      `sudo on ${hostLabel} asks for a password. Save the sudo password for this host, or allow the user passwordless sudo (NOPASSWD in sudoers).`,
      { reason: 'password-required' },
    );
  }
  const { stdin, ...control } = exec;
  const validated = await executor.exec(remoteCommandLine(['sudo', '-S', '-k', '-p', '', '-v']), { ...control, stdin: `${secret}\n` });
  if (validated.exitCode !== 0) {
    if (passwordRejected.test(validated.stderr)) {
      throw new AppError('SUDO_REQUIRED', `sudo on ${hostLabel} rejected the saved password. Update the sudo password for this host.`, {
        reason: 'password-rejected',
      });
    }
    throw new AppError('PROGRAM_FAILED', `sudo on ${hostLabel} could not check the password: ${validated.stderr.trim().slice(-300)}`, {
      exitCode: validated.exitCode,
    });
  }
  const input = stdin === undefined ? `${secret}\n` : Buffer.concat([Buffer.from(`${secret}\n`), Buffer.from(stdin)]);
  const second = await executor.exec(remoteCommandLine(['sudo', '-S', '-k', '-p', '', '--', ...argv]), { ...control, stdin: input });
  if (second.exitCode === 1 && passwordRejected.test(second.stderr)) {
    throw new AppError('SUDO_REQUIRED', `sudo on ${hostLabel} rejected the saved password. Update the sudo password for this host.`, {
      reason: 'password-rejected',
    });
  }
  return second;
}
