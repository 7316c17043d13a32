/**
 * External etcd end to end on a real sshd test host with stateful libvirt stand-ins and a real
 * Kubernetes 1.20 control plane (SIMULATION: the stand-in VMs' kubeadm makes certificates and the
 * etcd static pod manifest as files, refuses a member's certificates before the CA is there and
 * an external-etcd `kubeadm init` before the etcd CA and client certificate are on the control
 * plane; no etcd process runs). The SSH sessions, file copies over stdin, the kubeconfig handling
 * and every Kubernetes call are real.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

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
    { timeout: 180_000 },
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

      await lab.labs.remove('ext1');
      await expect.poll(() => lab.domains(), { timeout: 60_000 }).toEqual(baseline);
    },
  );
});
