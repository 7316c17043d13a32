/**
 * External etcd end to end on a real sshd test host with stateful libvirt stand-ins and a real
 * Kubernetes 1.20 control plane (SIMULATION: the stand-in VMs' kubeadm makes certificates and the
 * etcd static pod manifest as files, refuses a member's certificates before the CA is there and
 * an external-etcd `kubeadm init` before the etcd CA and client certificate are on the control
 * plane; no etcd process runs). The SSH sessions, file copies over stdin, the kubeconfig handling
 * and every Kubernetes call are real.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_UID } from '../../harness/ssh/simulated-host-files';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

const run = promisify(execFile);
let lab: LabFixture;

beforeAll(async () => {
  lab = await startLabFixture();
}, 180_000);

afterAll(async () => {
  await lab?.stop();
});

describe('external etcd (SIMULATION: stand-in VMs and kubeadm phases, real control plane)', () => {
  it(
    'provisions 3 etcd VMs, then a control plane that points at them, to Ready nodes; delete removes them all',
    { timeout: 300_000 },
    async () => {
      const baseline = await lab.domains();
      const started = await lab.labs.create(lab.plan('ext1', 3, { etcd: 'external', linuxWorkers: 1, windowsWorkers: 0 }));
      expect(started.status).toBe('started');
      const done = await lab.settled('ext1');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      expect(await lab.domains()).toEqual([...baseline, 'ext1-cp1', 'ext1-etcd1', 'ext1-etcd2', 'ext1-etcd3', 'ext1-linux1'].sort());

      // etcd VMs run etcd only: the nodes are the control plane and the worker.
      const nodes = (await lab.clusters.listNodes('ext1')).filter((node) => node.name.startsWith('ext1-'));
      expect(nodes.map((node) => [node.name, node.ready])).toEqual([
        ['ext1-cp1', true],
        ['ext1-linux1', true],
      ]);

      const events = await lab.events();
      expect(events.filter(([, event]) => event === 'etcd-ca').map(([, , vm]) => vm)).toEqual(['ext1-etcd1']);
      const members = events.filter(([, event]) => event === 'etcd-member');
      expect(members.map(([, , vm]) => vm)).toEqual(['ext1-etcd1', 'ext1-etcd2', 'ext1-etcd3']);
      const address = (name: string) => done.machines.find((machine) => machine.name === name)?.address ?? '';
      const initialCluster = ['ext1-etcd1', 'ext1-etcd2', 'ext1-etcd3'].map((name) => `${name}=https://${address(name)}:2380`).join(',');
      expect(members.every(([, , , cluster]) => cluster === initialCluster)).toBe(true);
      // The first member's CA signed every member's certificates (copied over stdin, never in a log).
      for (const name of ['ext1-etcd2', 'ext1-etcd3', 'ext1-cp1']) {
        expect(await readFile(join(lab.host.simDir, 'vms', name, 'etc/kubernetes/pki/etcd/ca.crt'), 'utf8')).toBe(
          'SIMULATED etcd CA of ext1-etcd1\n',
        );
      }
      const init = await readFile(join(lab.host.simDir, 'vms', 'ext1-cp1', 'kubeadm-init.yaml'), 'utf8');
      for (const name of ['ext1-etcd1', 'ext1-etcd2', 'ext1-etcd3']) expect(init).toContain(`- https://${address(name)}:2379`);
      expect(JSON.stringify(await lab.labs.logs('ext1', { limit: 5000 }))).not.toContain('SIMULATED etcd CA key');
      // Keys are readable by root only; the CA key stays on the first member alone once the others have their certificates.
      const pki = (vm: string, file: string) => join(lab.host.simDir, 'vms', vm, 'etc/kubernetes/pki', file);
      expect((await stat(pki('ext1-cp1', 'apiserver-etcd-client.key'))).mode & 0o777).toBe(0o600);
      expect((await stat(pki('ext1-etcd1', 'etcd/ca.key'))).mode & 0o777).toBe(0o600);
      for (const vm of ['ext1-etcd2', 'ext1-etcd3']) expect(existsSync(pki(vm, 'etcd/ca.key'))).toBe(false);

      await lab.labs.remove('ext1');
      await expect.poll(() => lab.domains(), { timeout: 60_000 }).toEqual(baseline);
    },
  );

  it(
    'copies the etcd client key again when the copy on the control plane is cut short (content compared, not only existence)',
    { timeout: 300_000 },
    async () => {
      // What an earlier attempt's copy left when the connection dropped mid-transfer: a key file
      // on the control plane's disk that exists but is truncated (the stand-in VM's disk is its folder).
      const pki = join(lab.host.simDir, 'vms', 'ext2-cp1', 'etc', 'kubernetes', 'pki');
      await mkdir(pki, { recursive: true });
      await writeFile(join(pki, 'apiserver-etcd-client.key'), '-----BEGIN PRIVATE KEY-----\nSIMULATED apiserver-etcd-cli');
      await run('chown', ['-R', `${TEST_UID}:${TEST_UID}`, join(lab.host.simDir, 'vms', 'ext2-cp1')]);

      await lab.labs.create(lab.plan('ext2', 2, { etcd: 'external', linuxWorkers: 0, windowsWorkers: 0 }));
      const done = await lab.settled('ext2');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      expect(await readFile(join(pki, 'apiserver-etcd-client.key'), 'utf8')).toBe(
        await readFile(join(lab.host.simDir, 'vms', 'ext2-etcd1', 'etc/kubernetes/pki/apiserver-etcd-client.key'), 'utf8'),
      );
      await lab.labs.remove('ext2');
      await expect.poll(async () => (await lab.domains()).filter((name) => name.startsWith('ext2-')), { timeout: 60_000 }).toEqual([]);
    },
  );
});
