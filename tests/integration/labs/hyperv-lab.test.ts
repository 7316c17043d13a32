/**
 * A lab on a simulated Windows Hyper-V host: the engine drives PowerShell over the real sshd
 * (-EncodedCommand, as on Windows OpenSSH); SIMULATION: the Hyper-V cmdlets are a stateful
 * stand-in (tests/harness/ssh/simulations/hyperv-cmdlets) and the VMs' commands run in folders.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsService } from '../../../src/main/apps/apps-service';
import { HOST_ANNOTATION, VM_ANNOTATION } from '../../../src/shared/contract/topology';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

interface PodView {
  spec?: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; reason?: string; message?: string }[] };
}

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

      // The Windows worker joined tainted os=windows:NoSchedule (JoinConfiguration nodeRegistration.taints;
      // SIMULATION: the stand-in kubeadm.exe registers the node with the taints of the config it was given).
      const win = await admin.request<{ spec: { taints?: unknown[] } }>('GET', '/api/v1/nodes/hv1-win1');
      expect(win.spec.taints).toEqual([{ key: 'os', value: 'windows', effect: 'NoSchedule' }]);
      const linux = await admin.request<{ spec: { taints?: unknown[] } }>('GET', '/api/v1/nodes/hv1-linux1');
      expect(linux.spec.taints).toBeUndefined();
      // A pod that selects Windows but does not tolerate the taint is kept off it by the real scheduler...
      await admin.request('POST', '/api/v1/namespaces/default/pods', {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'no-toleration' },
          spec: {
            nodeSelector: { 'kubernetes.io/os': 'windows' },
            containers: [{ name: 'c', image: 'mcr.microsoft.com/windows/nanoserver:ltsc2022' }],
          },
        },
      });
      await waitFor(
        async () => {
          const pod = await admin.request<PodView>('GET', '/api/v1/namespaces/default/pods/no-toleration');
          return pod.status?.conditions?.some(
            (c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable' && /taint/.test(c.message ?? ''),
          );
        },
        { timeout: 30_000 },
      );
      // ...and the catalog's ASP.NET app, which tolerates it, lands on the Windows worker and runs.
      const apps = new AppsService({
        catalogDir: join(import.meta.dirname, '../../../resources/catalog'),
        provider: lab.clusters,
        registryMirror: () => Promise.resolve(''),
      });
      const installed = await apps.install({ context: 'hv1', namespace: 'default', appId: 'aspnet-sample', instance: 'aspnet' });
      expect(installed.status === 'installed' ? 'installed' : JSON.stringify(installed.preflight)).toBe('installed');
      await waitFor(
        async () => {
          const pods = await admin.request<{ items: PodView[] }>(
            'GET',
            '/api/v1/namespaces/default/pods?labelSelector=app%3Daspnet-sample',
          );
          return pods.items.length === 1 && pods.items.every((pod) => pod.spec?.nodeName === 'hv1-win1' && pod.status?.phase === 'Running');
        },
        { timeout: 60_000 },
      );

      await lab.labs.remove('hv1');
      await waitFor(async () => !(await lab.labs.list()).some((l) => l.name === 'hv1'), { timeout: 60_000 });
      expect(await lab.domains()).toEqual([]);
      expect(await lab.imageFiles()).toEqual(baseline);
      expect(await lab.clusters.contextNames()).not.toContain('hv1');
    },
  );
});
