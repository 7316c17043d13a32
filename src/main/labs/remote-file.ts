/**
 * Files Nestlab writes on lab machines. The content travels over stdin (never on a command line or
 * in a log), lands in a temporary file beside the target, created under umask 077 so no other
 * user can read it even for a moment, gets its final mode, and is renamed over the target: a
 * dropped connection leaves either the old file or the new one, never half of one (a resume that
 * only checks that the file exists would then keep a truncated key forever).
 */
import type { LabMachine } from '../../shared/contract/labs';
import type { StepContext } from './step-context';

/** Final modes: secrets (keys, tokens, join configurations) and what the machine's services must read. */
export type FileMode = '0600' | '0644';

/**
 * $1 = target path (absolute or relative, with a folder), $2 = mode, $3 = the content's length in
 * bytes; stdin = content. When the connection drops, sshd closes stdin and `cat` ends as if the
 * content were complete: the length tells a cut-short copy from a whole one. Only a whole one is
 * renamed over the target; anything else removes the temporary file and leaves the target as it was.
 */
export const WRITE_FILE_SCRIPT =
  'umask 077; mkdir -p -- "${1%/*}" && t=$(mktemp -- "$1.XXXXXX") || exit 1; ' +
  'cat >"$t" && [ "$(wc -c <"$t")" -eq "$3" ] && chmod -- "$2" "$t" && mv -f -- "$t" "$1" && exit 0; ' +
  'rm -f -- "$t"; echo "$1 was left as it was: the content arrived incomplete (the transfer was cut short) or could not be stored" >&2; exit 1';

/** The argv that writes `content` (sent on stdin) to `path` atomically with `mode`. */
export function writeFileArgv(path: string, mode: FileMode, content: string | Buffer): string[] {
  return ['sh', '-c', WRITE_FILE_SCRIPT, 'nestlab-write', path, mode, String(Buffer.byteLength(content))];
}

/** Writes a file on a Linux VM as root (see the module comment). */
export async function writeVmFile(
  ctx: StepContext,
  machine: LabMachine,
  path: string,
  content: string,
  options: { label: string; mode: FileMode },
): Promise<void> {
  await ctx.vm(
    machine,
    { argv: writeFileArgv(path, options.mode, content) },
    { root: true, stdin: content, stdinLabel: options.label, secretOutput: true },
  );
}

/** Removes files from a Linux VM (join secrets once the join is done). */
export async function removeVmFiles(ctx: StepContext, machine: LabMachine, paths: readonly string[]): Promise<void> {
  await ctx.vm(machine, { argv: ['rm', '-f', '--', ...paths] }, { root: true });
}

/** The SHA-256 of a file on a VM, or undefined when it cannot be read (absent). */
export async function vmFileDigest(ctx: StepContext, machine: LabMachine, path: string): Promise<string | undefined> {
  const result = await ctx.observeVm(machine, { argv: ['sha256sum', '--', path] }, { root: true });
  if (result.exitCode !== 0) return undefined;
  return /^([0-9a-f]{64})\b/.exec(result.stdout.trim())?.[1];
}
