import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane } from '../../harness/control-plane.js';
import type { ControlPlane } from '../../harness/control-plane.js';
import { KubeRestClient } from '../../harness/kube-rest.js';
import { fillCluster, scaleControlPlaneOptions } from '../../harness/pod-fill.js';
import type { FilledCluster } from '../../harness/pod-fill.js';
import { planPodFill } from '../../harness/pod-fill-plan.js';
import { podCidrFor } from '../../harness/simulated-node-objects.js';
import { conditionStatus } from './kube-objects.js';
import type { ListOf, NodeView } from './kube-objects.js';

interface OwnedView {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    ownerReferences?: Array<{ kind: string; name: string; uid: string; controller?: boolean }>;
  };
}
interface FillPodView extends OwnedView {
  spec: { nodeName?: string; tolerations?: Array<{ key: string; tolerationSeconds?: number }> };
  status: {
    phase: string;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
    containerStatuses?: Array<{ ready: boolean; restartCount: number; state: { waiting?: { reason: string } } }>;
  };
}

describe('pod fill plan', () => {
  it('puts every pod in a Deployment, in proportion: 30,000 pods on 300 nodes, 10% Windows, failures on Ready nodes', () => {
    const plan = planPodFill({ pods: 30_000 });
    expect(plan.totals).toMatchObject({ pods: 30_000, nodes: 300, deployments: 300, services: 300 });
    expect(plan.apps.reduce((sum, app) => sum + app.pods.length, 0)).toBe(30_000);
    expect(plan.totals.windowsNodes).toBe(30);
    const windowsPods = plan.apps.filter((app) => app.os === 'windows').reduce((sum, app) => sum + app.pods.length, 0);
    expect(windowsPods / 30_000).toBeGreaterThan(0.05);
    expect(windowsPods / 30_000).toBeLessThan(0.15);
    expect(plan.notReadyNodes).toHaveLength(2);
    expect(plan.failing.map((pod) => pod.failure).sort()).toEqual([
      ...Array<string>(15).fill('CrashLoopBackOff'),
      ...Array<string>(6).fill('ImagePullBackOff'),
      ...Array<string>(6).fill('Unschedulable'),
    ]);
    for (const pod of plan.failing) if (pod.nodeName !== undefined) expect(plan.notReadyNodes).not.toContain(pod.nodeName);
    // Windows pods only on Windows nodes, and no node over its capacity.
    const nodes = new Map(plan.nodes.map((node) => [node.name, node]));
    const load = new Map<string, number>();
    for (const app of plan.apps) {
      for (const pod of app.pods) {
        if (pod.nodeName === undefined) continue;
        expect(nodes.get(pod.nodeName)?.os).toBe(app.os);
        load.set(pod.nodeName, (load.get(pod.nodeName) ?? 0) + 1);
      }
    }
    for (const [name, pods] of load) expect(pods).toBeLessThanOrEqual(nodes.get(name)!.maxPods!);
    expect(new Set(plan.apps.flatMap((app) => app.pods.map((pod) => pod.name))).size).toBe(30_000);
  });

  it('gives every node of a 100,000-pod fixture its own pod range (past 256 nodes they repeated, and pods shared IPs)', () => {
    const ranges = Array.from({ length: planPodFill({ pods: 100_000 }).nodes.length }, (_, index) => podCidrFor(index));
    expect(ranges).toHaveLength(1_000);
    expect(new Set(ranges).size).toBe(1_000);
    expect(ranges[0]).toBe('10.244.0.0/24');
    expect(ranges[256]).toBe('10.245.0.0/24');
  });

  it('is the same plan every time, and refuses a fixture that cannot exist', () => {
    expect(planPodFill({ pods: 500 })).toEqual(planPodFill({ pods: 500 }));
    expect(() => planPodFill({ pods: 5 })).toThrow(/at least 10/);
    expect(() => planPodFill({ pods: 100, nodes: 4, windowsShare: 0.5, notReadyNodes: 2 })).toThrow(/no Ready Linux worker/);
  });
});

describe('pod fill on the real control plane (simulated kubelets)', () => {
  let controlPlane: ControlPlane;
  let fill: FilledCluster;
  let rest: KubeRestClient;

  beforeAll(async () => {
    controlPlane = await startControlPlane(scaleControlPlaneOptions(400));
    fill = await fillCluster(controlPlane, { pods: 400, simulation: { kubelets: false } });
    rest = new KubeRestClient(controlPlane.admin);
  }, 300_000);

  afterAll(async () => {
    rest?.close();
    await fill?.stop();
    await controlPlane?.stop();
  });

  it('creates pods owned by ReplicaSets owned by Deployments, which the real controllers keep without adding any', async () => {
    const counts = await fill.counts();
    expect(counts).toMatchObject({ pods: 400, deployments: 4, replicaSets: 4, ingresses: fill.plan.totals.ingresses });
    const deployments =
      await rest.get<ListOf<OwnedView & { status: { replicas: number; readyReplicas?: number } }>>('/apis/apps/v1/deployments');
    const replicaSets = await rest.get<ListOf<OwnedView>>('/apis/apps/v1/replicasets');
    for (const replicaSet of replicaSets.items) {
      const owner = replicaSet.metadata.ownerReferences?.[0];
      expect(owner).toMatchObject({ kind: 'Deployment', controller: true });
      expect(deployments.items.find((deployment) => deployment.metadata.uid === owner?.uid)).toBeDefined();
    }
    const pods = await rest.get<ListOf<FillPodView>>('/api/v1/pods');
    const replicaSetUids = new Set(replicaSets.items.map((replicaSet) => replicaSet.metadata.uid));
    for (const pod of pods.items) expect(replicaSetUids.has(pod.metadata.ownerReferences?.[0]?.uid ?? '')).toBe(true);
    const failing = fill.plan.failing.length;
    const ready = deployments.items.reduce((sum, deployment) => sum + (deployment.status.readyReplicas ?? 0), 0);
    const onNotReady = pods.items.filter((pod) => fill.plan.notReadyNodes.includes(pod.spec.nodeName ?? '')).length;
    expect(ready).toBe(400 - failing - onNotReady);
  });

  it('runs the planned failures as a kubelet would report them', async () => {
    const get = (namespace: string, name: string): Promise<FillPodView> => rest.get(`/api/v1/namespaces/${namespace}/pods/${name}`);
    for (const planned of fill.plan.failing) {
      const pod = await get(planned.namespace, planned.name);
      if (planned.failure === 'Unschedulable') {
        expect(pod.status.phase).toBe('Pending');
        expect(pod.status.conditions).toContainEqual(
          expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }),
        );
        continue;
      }
      expect(pod.status.phase).toBe(planned.failure === 'CrashLoopBackOff' ? 'Running' : 'Pending');
      expect(pod.status.containerStatuses?.[0]).toMatchObject({ ready: false, state: { waiting: { reason: planned.failure } } });
      if (planned.failure === 'CrashLoopBackOff') expect(pod.status.containerStatuses?.[0]?.restartCount).toBeGreaterThan(0);
    }
  });

  it('turns the planned nodes NotReady, and their pods tolerate it instead of being evicted and replaced', async () => {
    const nodes = await rest.get<ListOf<NodeView>>('/api/v1/nodes');
    for (const node of nodes.items) {
      expect(conditionStatus(node, 'Ready')).toBe(fill.plan.notReadyNodes.includes(node.metadata.name) ? 'Unknown' : 'True');
    }
    for (const name of fill.plan.notReadyNodes) {
      const pods = await rest.get<ListOf<FillPodView>>(`/api/v1/pods?fieldSelector=spec.nodeName%3D${name}`);
      expect(pods.items.length).toBeGreaterThan(0);
      for (const pod of pods.items) {
        expect(pod.spec.tolerations).toContainEqual(expect.objectContaining({ key: 'node.kubernetes.io/unreachable' }));
        expect(pod.spec.tolerations?.every((toleration) => toleration.tolerationSeconds === undefined)).toBe(true);
      }
    }
  });
});
