/**
 * SIMULATION: the kubelet of a stand-in VM, for its etcd static pod only. A real kubelet runs
 * the pod of every manifest in /etc/kubernetes/manifests and stops it when the manifest goes
 * away; this one does that for `etcd.yaml`, running the machine's real etcd (/usr/bin/etcd) with
 * the manifest's own command flags, paths under /etc and /var/lib mapped into the VM's folder as
 * the VM's stand-in sudo maps them. It runs as the test user, as every stand-in VM command does,
 * so what Nestlab's etcdctl restores there etcd can open. Used by the etcd snapshot tests: a
 * restore that sets the manifest aside really stops etcd, and one that brings it back starts it
 * on the restored data dir.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TEST_UID } from '../ssh/simulated-host-files';

export interface EtcdStaticPod {
  /** How many times etcd was started (the first start included). */
  starts(): number;
  running(): boolean;
  /** Resolves once the runner has acted on every manifest change so far. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** The command of a kubeadm static pod manifest (`- etcd`, `- --flag=value` lines). */
export function manifestCommand(manifest: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((line) => /^\s*- command:\s*$/.test(line));
  const command: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s*-\s+(\S.*?)\s*$/.exec(line);
    if (match === null) break;
    command.push(match[1] ?? '');
  }
  return command;
}

function mapPath(vmRoot: string, value: string): string {
  return /^\/(etc|var\/lib)\//.test(value) ? join(vmRoot, value) : value;
}

export function startEtcdStaticPod(vmRoot: string, log: (line: string) => void = () => undefined): EtcdStaticPod {
  const manifests = join(vmRoot, 'etc', 'kubernetes', 'manifests');
  let child: ChildProcess | undefined;
  let count = 0;
  let queue = Promise.resolve();
  const reconcile = async () => {
    const manifest = await readFile(join(manifests, 'etcd.yaml'), 'utf8').catch(() => undefined);
    if (manifest === undefined && child !== undefined) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
      child = undefined;
      log('etcd stopped (manifest removed)');
    } else if (manifest !== undefined && child === undefined) {
      const [, ...flags] = manifestCommand(manifest);
      const args = flags.map((flag) => {
        const [name, ...rest] = flag.split('=');
        return rest.length === 0 ? flag : `${name}=${mapPath(vmRoot, rest.join('='))}`;
      });
      const started = spawn('/usr/bin/etcd', args, { uid: TEST_UID, gid: TEST_UID, stdio: ['ignore', 'ignore', 'pipe'] });
      started.stderr?.on('data', (chunk: Buffer) => log(chunk.toString().trimEnd()));
      started.on('exit', () => {
        if (child === started) child = undefined;
      });
      child = started;
      count += 1;
      log('etcd started (manifest present)');
    }
  };
  const schedule = () => {
    queue = queue.then(reconcile, reconcile);
  };
  const watcher = watch(manifests, schedule);
  schedule();
  return {
    starts: () => count,
    running: () => child !== undefined,
    settled: () => queue,
    stop: async () => {
      watcher.close();
      await queue;
      if (child !== undefined) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
