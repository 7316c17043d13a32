import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startLoopbackRelay } from './real-libvirt';
import type { TestHost } from './test-host';

const run = promisify(execFile);
const namespaceRelay = join(dirname(fileURLToPath(import.meta.url)), 'namespace-relay.mjs');

/** OpenSSH client arguments that log in to the test host as its test user with its key. */
export function testHostSshArgs(host: TestHost): string[] {
  return [
    '-i',
    host.clientKey.path,
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(host.port),
    `${host.user}@127.0.0.1`,
  ];
}

/**
 * A TCP port of a lab host that has a network of its own (ownNetwork, realLibvirt), reached from
 * this computer at 127.0.0.1 on the SAME port number: a loopback listener here (a free port), a
 * Unix socket in the host's folder, and a relay in the host's namespace from that socket to
 * 127.0.0.1:<port> there, where e.g. the lab's HAProxy listens on the host port the plan names.
 * It stands for the network between this computer and the lab host, so a kubeconfig that names
 * https://<host address>:<port> works from the test process as from a user's computer; no lab
 * address ever appears in the machine's own network namespace.
 */
export async function relayHostPort(host: TestHost, name: string): Promise<{ port: number; close(): Promise<void> }> {
  const socket = join(host.simDir, `host-port-${name}.sock`);
  const relay = await startLoopbackRelay(socket);
  // The relay script where the host's user can run it (the host's bin/ is its own).
  const script = join(host.dir, 'bin', 'namespace-relay.mjs');
  if (!existsSync(script)) await copyFile(namespaceRelay, script);
  await run('ssh', [
    ...testHostSshArgs(host),
    `setsid ${process.execPath} ${script} ${socket} ${relay.port} </dev/null >/dev/null 2>&1 & ` +
      `for attempt in $(seq 200); do [ -S ${socket} ] && exit 0; sleep 0.05; done; exit 1`,
  ]);
  return relay;
}
