import { readdirSync, readFileSync } from 'node:fs';

/**
 * Every process in the session that `leaderPid` leads (a pty's shell is a session leader), the
 * leader included. Background jobs of an interactive shell get their own process groups, so
 * killing the shell's group would leave them running; the session holds them all. Linux only
 * (reads /proc); elsewhere it returns just the leader.
 */
export function sessionProcesses(leaderPid: number): number[] {
  if (process.platform !== 'linux') return [leaderPid];
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [leaderPid];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat !== undefined && stat.sessionId === leaderPid && stat.state !== 'Z') found.push(Number(entry));
  }
  if (!found.includes(leaderPid) && isAlive(leaderPid)) found.push(leaderPid);
  return found;
}

/** Sends `signal` to every process of the session; processes that are already gone are skipped. */
export function signalSession(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone (ESRCH), or not ours to signal.
    }
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (process.platform === 'linux') {
    const stat = readStat(pid);
    return stat !== undefined && stat.state !== 'Z';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends a session: SIGHUP (what closing a real terminal sends), then SIGKILL for anything still
 * there after `graceMs`. Resolves when every process is gone.
 */
export async function killSession(leaderPid: number, graceMs = 1_000): Promise<void> {
  const pids = sessionProcesses(leaderPid);
  signalSession(pids, 'SIGHUP');
  // SIGHUP alone does not stop a stopped job; SIGCONT lets it receive the hangup.
  signalSession(pids, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive)) {
    if (Date.now() >= deadline) {
      signalSession(pids.filter(isAlive), 'SIGKILL');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const killDeadline = Date.now() + 2_000;
  while (pids.some(isAlive) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function readStat(pid: number): { state: string; sessionId: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: parse after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', sessionId: Number(fields[3]) };
  } catch {
    return undefined;
  }
}
