import { spawn } from 'node:child_process';
import { spawn as spawnPty } from 'node-pty';
import { findControlPlaneBinaries } from './binaries.js';

/** A running kubectl whose output tests read as it arrives (`logs -f`, `port-forward`, `exec -it`). */
export interface KubectlProcess {
  readonly pid: number;
  /** Everything printed so far (stdout; with a pty, stdout and stderr mixed as on a terminal). */
  output(): string;
  /** Everything printed on stderr so far (always empty with a pty). */
  errors(): string;
  /** Resolves with the output once `pattern` matches it (after `from` characters). */
  waitForOutput(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  write(data: string): void;
  /** Closes kubectl's stdin (pipes only). */
  endInput(): void;
  /** Resizes the pty (pty only): kubectl sees SIGWINCH and sends the new size. */
  resize(cols: number, rows: number): void;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the real kubectl with `--kubeconfig`, on pipes, or on a pty (`pty: {cols, rows}`) for `-it`. */
export function spawnKubectl(
  kubeconfigPath: string,
  args: readonly string[],
  options: { pty?: { cols: number; rows: number } } = {},
): KubectlProcess {
  const kubectl = findControlPlaneBinaries().kubectl;
  const argv = ['--kubeconfig', kubeconfigPath, ...args];
  const env = { ...process.env, KUBECONFIG: kubeconfigPath };
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  let exitedWith: number | null | undefined;
  let handle: Pick<KubectlProcess, 'pid' | 'write' | 'endInput' | 'resize' | 'kill'>;
  let exited: Promise<number | null>;
  if (options.pty !== undefined) {
    const pty = spawnPty(kubectl, argv, { name: 'xterm', cols: options.pty.cols, rows: options.pty.rows, env });
    pty.onData((data) => {
      stdout += data;
      notify();
    });
    exited = new Promise((resolve) =>
      pty.onExit(({ exitCode, signal }) => resolve(signal !== undefined && signal !== 0 ? null : exitCode)),
    );
    handle = {
      pid: pty.pid,
      write: (data) => pty.write(data),
      endInput: () => {
        throw new Error('endInput() is for kubectl on pipes; on a pty, type Ctrl-D with write("\\x04")');
      },
      resize: (cols, rows) => pty.resize(cols, rows),
      kill: (signal) => pty.kill(signal),
    };
  } else {
    const child = spawn(kubectl, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      notify();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      notify();
    });
    child.stdin.on('error', () => undefined);
    exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    handle = {
      pid: child.pid ?? -1,
      write: (data) => child.stdin.write(data),
      endInput: () => child.stdin.end(),
      resize: () => {
        throw new Error('resize() needs kubectl on a pty: spawnKubectl(path, args, { pty: { cols, rows } })');
      },
      kill: (signal) => child.kill(signal),
    };
  }
  void exited.then((code) => {
    exitedWith = code;
    notify();
  });
  return {
    ...handle,
    exited,
    output: () => stdout,
    errors: () => stderr,
    waitForOutput: (pattern, waitOptions = {}) =>
      new Promise((resolve, reject) => {
        const from = waitOptions.from ?? 0;
        const timeoutMs = waitOptions.timeoutMs ?? 20_000;
        const attempt = (): void => {
          const match = stdout.slice(from).match(pattern);
          if (match === null && exitedWith === undefined) return;
          clearTimeout(timer);
          waiters.delete(attempt);
          if (match !== null) resolve(match);
          else reject(new Error(`kubectl exited (${String(exitedWith)}) before printing ${pattern}; output:\n${stdout}\n${stderr}`));
        };
        const timer = setTimeout(() => {
          waiters.delete(attempt);
          reject(
            new Error(
              `Timed out after ${timeoutMs} ms waiting for kubectl to print ${pattern}; output:\n${stdout.slice(-2000)}\n${stderr}`,
            ),
          );
        }, timeoutMs);
        waiters.add(attempt);
        attempt();
      }),
  };
}
