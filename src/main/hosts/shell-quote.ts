import { AppError } from '../../shared/errors';

/**
 * Quote one argument for a POSIX shell: always single quotes, with each embedded single quote
 * written as '\'' . Inside single quotes the shell expands nothing ($, `, \, ;, newlines stay
 * literal), so the remote command sees exactly this string.
 *
 * @throws AppError INVALID_ARGUMENT when the argument holds a NUL byte (no shell can carry one).
 */
export function quotePosix(argument: string): string {
  if (argument.includes('\0')) {
    throw new AppError('INVALID_ARGUMENT', 'A command argument contains a NUL byte, which no shell can pass. Remove it.');
  }
  return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** A remote command line built from an argument list, every argument quoted. */
export function buildCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new AppError('INVALID_ARGUMENT', 'A remote command needs at least a program name.');
  return argv.map(quotePosix).join(' ');
}

/**
 * The command line sent to a Linux host: the argument list, quoted for POSIX sh, run by
 * `sh -c` explicitly. sshd hands a command to the user's login shell, which need not be POSIX:
 * fish, for one, reads a backslash inside single quotes as an escape, so an argument ending in
 * `\` would swallow the closing quote. The quoted command therefore travels base64-encoded inside
 * a fixed wrapper whose only special characters are single-quoted ones no shell treats
 * differently; `sh` decodes and evaluates it, so stdin and the exit status are the command's own.
 */
export function remoteCommandLine(argv: readonly string[]): string {
  const encoded = Buffer.from(buildCommand(argv), 'utf8').toString('base64');
  return `sh -c 'eval "$(printf %s ${encoded} | base64 -d)"'`;
}

/** The kinds of user-supplied values that end up in SSH connections or remote commands. */
export type FieldKind = 'host' | 'user' | 'path' | 'name';

const maxLength: Record<FieldKind, number> = { host: 253, user: 64, path: 4096, name: 128 };

/**
 * Validate a user-supplied host name, user name, path or display name. Control characters
 * (newlines included) and a leading '-' are refused, since they could smuggle a second command or
 * be read as an option by ssh, sudo or a remote tool; everything else is passed literally and
 * quoted where it meets a shell.
 *
 * @param field the form field's name, echoed in the error so the UI can mark it.
 * @throws AppError INVALID_ARGUMENT with details {field, reason}.
 */
export function validateField(field: string, value: string, kind: FieldKind): string {
  const fail = (reason: string, fix: string): never => {
    throw new AppError('INVALID_ARGUMENT', `The ${field} ${reason}. ${fix}`, { field, reason });
  };
  if (value.length === 0) fail('is empty', `Enter a ${kind}.`);
  if (value.length > maxLength[kind]) fail(`is longer than ${maxLength[kind]} characters`, 'Shorten it.');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    fail('contains a control character (such as a newline or tab)', 'Remove it; it could start a second command.');
  }
  if (value.startsWith('-')) fail("starts with '-'", 'Remove the dash; it would be read as a command-line option.');
  if ((kind === 'host' || kind === 'user') && /\s/.test(value)) fail('contains a space', `A ${kind} name has no spaces.`);
  return value;
}
