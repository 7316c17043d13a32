/**
 * Maintain and Resume of a lab machine's node (issue 21) against the real control plane: a lab on
 * a stand-in libvirt host (SIMULATION: stand-in VMs join the real control plane as simulated
 * nodes, see lab-fixture.ts) whose worker runs a real DaemonSet's pod, a real ReplicaSet's pod,
 * a pod with an emptyDir volume and a pod no controller manages. Cordon, the eviction API (with
 * the real disruption controller behind PodDisruptionBudgets), uncordon and the node reads are real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabSummary } from '../../../src/shared/contract/labs';
import { KubeRestClient, waitFor } from '../../harness/index.js';
import { startLabFixture } from './lab-fixture';
import type { LabFixture } from './lab-fixture';

let lab: LabFixture;
let admin: KubeRestClient;
const worker = 'maint-linux1';

interface PodView {
  metadata: { name: string; ownerReferences?: { kind: string }[] };
  spec: { nodeName?: string };
  status: { phase?: string };
}
interface NodeView {
  spec: { unschedulable?: boolean };
}

const pause = { name: 'app', image: 'registry.k8s.io/pause:3.9' };
const podsOn = async (node: string) =>
  (
    await admin.request<{ items: PodView[] }>(
      'GET',
      `/api/v1/namespaces/default/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
    )
  ).items;
const cordoned = async () => (await admin.request<NodeView>('GET', `/api/v1/nodes/${worker}`)).spec.unschedulable === true;
const logText = async () => (await lab.labs.logs('maint', { limit: 5000 })).map((line) => line.text);

async function runningPod(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): Promise<void> {
  await admin.request('POST', '/api/v1/namespaces/default/pods', {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { nodeName: worker, containers: [pause], ...spec } },
  });
  await waitFor(
    async () =>
      (await admin.request<PodView>('GET', `/api/v1/namespaces/default/pods/${name}`)).status.phase === 'Running' ? true : undefined,
    { description: `pod ${name} to run` },
  );
}

beforeAll(async () => {
  lab = await startLabFixture();
  admin = new KubeRestClient(lab.controlPlane.admin, 4);
  await lab.labs.create(lab.plan('maint', 1, { linuxWorkers: 2 }));
  const ready = await lab.settled('maint');
  expect(ready.operation?.error).toBeUndefined();
  // A DaemonSet (its pod stays), a ReplicaSet whose pod only the worker may run (it comes back
  // Pending while the node is cordoned), a pod with an emptyDir volume and a bare pod.
  await admin.request('POST', '/apis/apps/v1/namespaces/default/daemonsets', {
    body: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [pause] } },
      },
    },
  });
  await admin.request('POST', '/apis/apps/v1/namespaces/default/replicasets', {
    body: {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { nodeSelector: { 'kubernetes.io/hostname': worker }, containers: [pause] },
        },
      },
    },
  });
  await runningPod('scratch', { volumes: [{ name: 'cache', emptyDir: {} }] });
  await runningPod('victim', {});
  await waitFor(
    async () => {
      const pods = await podsOn(worker);
      const kinds = pods.filter((pod) => pod.status.phase === 'Running').map((pod) => pod.metadata.ownerReferences?.[0]?.kind ?? 'none');
      return kinds.includes('DaemonSet') && kinds.includes('ReplicaSet') ? true : undefined;
    },
    { timeout: 60_000, description: 'the DaemonSet and ReplicaSet pods to run on the worker' },
  );
}, 240_000);

afterAll(async () => {
  admin?.close();
  await lab?.stop();
});

describe('Maintain and Resume of a lab node (SIMULATION: stand-in VMs as simulated nodes of a real control plane)', () => {
  it(
    'refuses to drain away emptyDir data unless asked: names the pod and volume, evicts nothing, leaves the node cordoned',
    { timeout: 120_000 },
    async () => {
      const started = await lab.labs.machineAction('maint', worker, { action: 'maintain' });
      expect(started.operation).toMatchObject({ kind: 'maintain', machine: worker });
      const failed = await lab.settled('maint');
      expect(failed.status).toBe('failed');
      expect(failed.operation?.error).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: `Draining ${worker} would delete the emptyDir data of default/scratch (emptyDir cache). Nothing was evicted; the node stays cordoned.`,
      });
      expect(await cordoned()).toBe(true);
      expect((await podsOn(worker)).map((pod) => pod.metadata.name)).toEqual(expect.arrayContaining(['scratch', 'victim']));
    },
  );

  it(
    'drains with emptyDir data allowed: every pod but the DaemonSet’s leaves, one log line each; the node stays cordoned',
    { timeout: 120_000 },
    async () => {
      // A machine operation that stopped does not block the next one (the lab is "failed" from it).
      await lab.labs.machineAction('maint', worker, { action: 'maintain', deleteEmptyDirData: true });
      const done = await lab.settled('maint');
      expect(done.operation?.error).toBeUndefined();
      expect(done.status).toBe('ready');
      expect(done.operation?.steps.map((step) => [step.id, step.status])).toEqual([
        [`cordon:${worker}`, 'skipped'],
        [`drain:${worker}`, 'done'],
      ]);
      const left = await podsOn(worker);
      expect(left.map((pod) => pod.metadata.ownerReferences?.[0]?.kind)).toEqual(['DaemonSet']);
      await expect(admin.request('GET', '/api/v1/namespaces/default/pods/victim')).rejects.toMatchObject({ status: 404 });
      await expect(admin.request('GET', '/api/v1/namespaces/default/pods/scratch')).rejects.toMatchObject({ status: 404 });
      // The ReplicaSet made a new pod, which waits for the only node it may run on.
      const web = (await admin.request<{ items: PodView[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items;
      expect(web.map((pod) => pod.spec.nodeName)).toEqual([undefined]);
      expect(await cordoned()).toBe(true);
      const logs = await logText();
      expect(logs.some((text) => new RegExp(`^Leave default/agent-\\w+ on ${worker}: DaemonSet agent\\.$`).test(text))).toBe(true);
      expect(logs).toContain('default/scratch: the data in its emptyDir cache is deleted.');
      expect(logs).toContain('default/victim has no controller: once evicted it is gone, not started elsewhere.');
      const moved = logs.filter((text) => text.includes(` left ${worker} (`));
      expect(moved).toHaveLength(3);
      expect(moved.at(-1)).toMatch(new RegExp(`left ${worker} \\(3 of 3\\)\\.$`));
      expect(await lab.labs.machineStatuses('maint')).toContainEqual({
        name: worker,
        node: { ready: true, unschedulable: true, since: expect.any(String) },
        power: { state: 'running', detail: 'running' },
      });
    },
  );

  it('Resume uncordons the node: the ReplicaSet’s pod is scheduled on it again', { timeout: 120_000 }, async () => {
    await lab.labs.machineAction('maint', worker, { action: 'resume' });
    const done = await lab.settled('maint');
    expect(done.operation?.steps.map((step) => [step.id, step.status])).toEqual([[`uncordon:${worker}`, 'done']]);
    expect(await cordoned()).toBe(false);
    await waitFor(
      async () =>
        (await podsOn(worker)).some((pod) => pod.metadata.name.startsWith('web-') && pod.status.phase === 'Running') ? true : undefined,
      { timeout: 60_000, description: 'the web pod to run on the worker again' },
    );
    expect(await lab.labs.machineStatuses('maint')).toContainEqual({
      name: worker,
      node: { ready: true, unschedulable: false, since: expect.any(String) },
      power: { state: 'running', detail: 'running' },
    });
  });

  it(
    'a drain a PodDisruptionBudget holds up times out naming the pod and the budget; lab resume finishes once the budget allows',
    { timeout: 120_000 },
    async () => {
      // Only the guarded pod is left to move.
      await admin.request('DELETE', '/apis/apps/v1/namespaces/default/replicasets/web', { body: { propagationPolicy: 'Foreground' } });
      await waitFor(async () => ((await podsOn(worker)).some((pod) => pod.metadata.name.startsWith('web-')) ? undefined : true), {
        timeout: 60_000,
        description: 'the web pod to go',
      });
      await runningPod('guarded', {}, { app: 'guarded' });
      await admin.request('POST', '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets', {
        body: {
          apiVersion: 'policy/v1beta1',
          kind: 'PodDisruptionBudget',
          metadata: { name: 'keep-one' },
          spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
        },
      });
      await waitFor(async () =>
        (
          await admin.request<{ status?: { currentHealthy?: number } }>(
            'GET',
            '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets/keep-one',
          )
        ).status?.currentHealthy === 1
          ? true
          : undefined,
      );
      await lab.labs.machineAction('maint', worker, { action: 'maintain', drainTimeoutSeconds: 3 });
      const failed = await lab.settled('maint');
      expect(failed.status).toBe('failed');
      expect(failed.operation?.error?.code).toBe('TIMEOUT');
      expect(failed.operation?.error?.message).toBe(
        `Draining ${worker} took longer than 3 s; still there: default/guarded (eviction refused by PodDisruptionBudget keep-one). The node stays cordoned.`,
      );
      expect(await cordoned()).toBe(true);

      await admin.request('DELETE', '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets/keep-one');
      await lab.labs.resume('maint');
      const done = await lab.settled('maint');
      expect(done.status).toBe('ready');
      await expect(admin.request('GET', '/api/v1/namespaces/default/pods/guarded')).rejects.toMatchObject({ status: 404 });
    },
  );

  it('refuses an unknown machine, and any action while an operation runs', async () => {
    await expect(lab.labs.machineAction('maint', 'maint-linux9', { action: 'maintain' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Lab "maint" has no machine named "maint-linux9".',
    });
    await lab.labs.machineAction('maint', worker, { action: 'resume' });
    await expect(lab.labs.machineAction('maint', 'maint-linux2', { action: 'maintain' })).rejects.toMatchObject({ code: 'CONFLICT' });
    const done: LabSummary = await lab.settled('maint');
    expect(done.status).toBe('ready');
  });
});
