import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { SimulatedNodeOs } from '../simulated-node-objects.js';

/** What to run for an exec request, or why it cannot run (as a container runtime would say). */
export type ResolvedCommand = { argv: string[]; error?: undefined } | { argv?: undefined; error: string };

const POWERSHELL = new Set(['powershell', 'powershell.exe', 'pwsh', 'pwsh.exe']);
const CMD = new Set(['cmd', 'cmd.exe']);

/**
 * Maps a requested command to a real program on the test machine. The simulated container shares
 * the machine's programs (sh, bash, ls, cat, ...). Windows pods have no PowerShell here, so
 * `powershell.exe [-Command X]` and `cmd.exe [/c X]` run bash (with X as its -c script); the
 * request itself is kept in the exec record so tests see what was asked.
 */
export function resolveCommand(os: SimulatedNodeOs, command: readonly string[]): ResolvedCommand {
  const [program, ...args] = command;
  if (program === undefined || program === '') return { error: 'you must specify at least 1 command' };
  const base = program.split(/[\\/]/).at(-1)?.toLowerCase() ?? program;
  if (os === 'windows' && (POWERSHELL.has(base) || CMD.has(base))) {
    const flag = args.findIndex((arg) => (POWERSHELL.has(base) ? /^-(c|command)$/i : /^\/c$/i).test(arg));
    const bash = findProgram('bash') ?? '/bin/sh';
    return { argv: flag >= 0 ? [bash, '-c', args.slice(flag + 1).join(' ')] : [bash] };
  }
  const path = findProgram(program);
  if (path === undefined) {
    // containerd's words for a missing binary.
    return {
      error: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${program}": executable file not found in $PATH: unknown`,
    };
  }
  return { argv: [path, ...args] };
}

function findProgram(program: string): string | undefined {
  const candidates = isAbsolute(program)
    ? [program]
    : (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).map((dir) => join(dir, program));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
