/**
 * A network + mount namespace of the test's own in which no host name resolves: only loopback is
 * up, /etc/resolv.conf is bind-mounted to name 127.0.0.1, and the namespace's first process is a
 * DNS server there that answers NXDOMAIN (nxdomain-dns-server.ts). Programs run inside it through
 * `command()` (nsenter into both namespaces), so glibc's real resolver path runs and no query or
 * packet leaves the namespace; port 53 is the namespace's own. Needs root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ResolverNamespace {
  /** `argv` run inside the namespace, in the caller's working folder (the program itself is the machine's). */
  command(argv: readonly string[]): string[];
  /** A script that runs `executable` inside the namespace with the arguments it gets, e.g. for Playwright's executablePath. */
  wrapper(executable: string): Promise<string>;
  /** The names the namespace's DNS server was asked for, in order. */
  asked(): string[];
  stop(): Promise<void>;
}

const server = fileURLToPath(new URL('./nxdomain-dns-server.ts', import.meta.url));

/** The environment for programs in the namespace: a developer's ssh-agent must not be what a test sees. */
export function environmentWithoutAgent(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.SSH_AUTH_SOCK;
  return env;
}

export async function startResolverNamespace(): Promise<ResolverNamespace> {
  const dir = await mkdtemp(join(tmpdir(), 'nestlab-resolver-ns-'));
  await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n');
  const script = [
    'set -e',
    `mount --bind '${join(dir, 'resolv.conf')}' /etc/resolv.conf`,
    'ip link set lo up',
    `exec '${process.execPath}' --import tsx '${server}'`,
  ].join('\n');
  // unshare and sh exec in place, so the child's pid is the DNS server's, inside both namespaces.
  const child: ChildProcess = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
  const asked: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  try {
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        if (line === 'listening') resolve();
        else if (line.startsWith('asked ')) asked.push(line.slice('asked '.length));
      });
      child.once('exit', (code) =>
        reject(new Error(`the resolver namespace ended with ${code} before its DNS server listened:\n${errors}`)),
      );
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = String(child.pid);
  // Entering a mount namespace moves to its root folder: keep the caller's working folder.
  const command = (argv: readonly string[]): string[] => [
    'nsenter',
    '--target',
    pid,
    '--net',
    '--mount',
    `--wd=${process.cwd()}`,
    '--',
    ...argv,
  ];
  return {
    command,
    wrapper: async (executable) => {
      const path = join(dir, `in-namespace-${executable.split('/').at(-1) ?? 'program'}`);
      await writeFile(
        path,
        `#!/bin/sh\nexec ${command([executable])
          .map((word) => `'${word}'`)
          .join(' ')} "$@"\n`,
      );
      await chmod(path, 0o755);
      return path;
    },
    asked: () => [...asked],
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.stdin!.end(); // the server exits when its stdin closes
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
