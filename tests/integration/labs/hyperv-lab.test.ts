/**
 * A lab on a simulated Windows Hyper-V host: the engine drives PowerShell over the real sshd
 * (-EncodedCommand, as on Windows OpenSSH); SIMULATION: the Hyper-V cmdlets are a stateful
 * stand-in (tests/harness/ssh/simulations/hyperv-cmdlets) and the VMs' commands run in folders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_ANNOTATION, VM_ANNOTATION } from '../../../src/shared/contract/topology';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;
let baseline: string[];

beforeAll(async () => {
  lab = await startLabFixture({ os: 'windows' });
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
  baseline = await lab.imageFiles();
}, 180_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

describe('Hyper-V (SIMULATION: stand-in cmdlets on a simulated Windows host)', () => {
  it(
    'provisions 1 control plane + 1 Linux + 1 Windows worker with static pool addresses, then deletes everything it made',
    { timeout: 180_000 },
    async () => {
      const started = await lab.labs.create(lab.plan('hv1', 1, { linuxWorkers: 1, windowsWorkers: 1 }));
      expect(started.status === 'started' ? 'started' : JSON.stringify(started)).toBe('started');
      const done = await lab.settled('hv1');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      // No DHCP on an internal switch: addresses come from the pool, in order.
      expect(done.machines.map((machine) => machine.address).sort()).toEqual(['198.51.100.100', '198.51.100.101', '198.51.100.102']);
      const nodes = await lab.clusters.listNodes('hv1');
      expect(nodes.map((node) => [node.name, node.os, node.ready])).toEqual([
        ['hv1-cp1', 'linux', true],
        ['hv1-linux1', 'linux', true],
        ['hv1-win1', 'windows', true],
      ]);
      const node = await admin.request<{ metadata: { annotations?: Record<string, string> } }>('GET', '/api/v1/nodes/hv1-win1');
      expect(node.metadata.annotations).toMatchObject({ [HOST_ANNOTATION]: lab.hostName, [VM_ANNOTATION]: 'hv1-win1' });
      expect(await lab.domains()).toEqual(['hv1-cp1', 'hv1-linux1', 'hv1-win1']);
      const events = await lab.events();
      expect(events.filter(([, event]) => event === 'kubeadm-init').map(([, , vm]) => vm)).toEqual(['hv1-cp1']);
      expect(events.filter(([, event]) => event === 'new-vmswitch').map(([, , name]) => name)).toEqual(['nestlab-hv1']);

      await lab.labs.remove('hv1');
      await waitFor(async () => !(await lab.labs.list()).some((l) => l.name === 'hv1'), { timeout: 60_000 });
      expect(await lab.domains()).toEqual([]);
      expect(await lab.imageFiles()).toEqual(baseline);
      expect(await lab.clusters.contextNames()).not.toContain('hv1');
    },
  );
});
