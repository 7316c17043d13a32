import { describe, expect, it } from 'vitest';
import { describeDeployment, describePod, describeService } from './describe';
import { ownerOf, selectorQuery, sortPods, toPodSummary } from './pod-summary';
import type { RawPod } from '../kube/raw-types';

const pod: RawPod = {
  metadata: {
    name: 'web-7d9f-abcde',
    namespace: 'shop',
    creationTimestamp: '2024-01-01T00:00:00Z',
    labels: { app: 'web', 'pod-template-hash': '7d9f' },
    ownerReferences: [{ kind: 'ReplicaSet', name: 'web-7d9f', controller: true }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{...}', team: 'a' },
  },
  spec: {
    nodeName: 'node-1',
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    containers: [
      { name: 'app', image: 'web:1', ports: [{ containerPort: 8080, name: 'http' }] },
      { name: 'sidecar', image: 'proxy:2', ports: [{ containerPort: 8080 }, { containerPort: 9090, protocol: 'UDP' }] },
    ],
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }],
    hostIP: '192.0.2.1',
    qosClass: 'BestEffort',
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [
      { name: 'app', ready: true, restartCount: 2, state: { running: {} } },
      { name: 'sidecar', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ],
  },
};

describe('toPodSummary', () => {
  it('gives the row of the pods list: readiness, restarts, the reason, the Deployment owner and ports', () => {
    expect(toPodSummary(pod)).toEqual({
      name: 'web-7d9f-abcde',
      namespace: 'shop',
      phase: 'Running',
      reason: 'CrashLoopBackOff',
      notReady: true,
      readyContainers: 1,
      totalContainers: 2,
      restarts: 7,
      containers: ['app', 'sidecar'],
      node: 'node-1',
      podIP: '10.0.0.5',
      os: 'linux',
      owner: { kind: 'Deployment', name: 'web' },
      ports: [8080, 9090],
      created: '2024-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d9f' },
    });
  });

  it('says Terminating for a pod being deleted and names a non-Deployment owner as it is', () => {
    const deleting: RawPod = {
      metadata: { name: 'x', deletionTimestamp: '2024-01-01T00:00:00Z', ownerReferences: [{ kind: 'StatefulSet', name: 'db' }] },
    };
    expect(toPodSummary(deleting)).toMatchObject({ phase: 'Terminating', owner: { kind: 'StatefulSet', name: 'db' }, containers: [] });
    // A row carries no empty labels object: 30,000 rows cross to the window.
    expect('labels' in toPodSummary(deleting)).toBe(false);
    expect(ownerOf({ metadata: { ownerReferences: [{ kind: 'ReplicaSet', name: 'odd' }] } })).toEqual({ kind: 'ReplicaSet', name: 'odd' });
  });

  it('says why a pod stays Pending when the scheduler finds no node, and marks a running pod whose node went NotReady', () => {
    const unschedulable: RawPod = {
      metadata: { name: 'stuck', namespace: 'shop' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
    };
    expect(toPodSummary(unschedulable)).toMatchObject({ phase: 'Pending', reason: 'Unschedulable' });
    expect('notReady' in toPodSummary(unschedulable)).toBe(false);
    // The node lifecycle controller sets only the Ready condition; the container statuses still say ready.
    const onLostNode: RawPod = {
      metadata: { name: 'web', namespace: 'shop' },
      spec: { containers: [{ name: 'app' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
      },
    };
    expect(toPodSummary(onLostNode)).toMatchObject({ readyContainers: 1, totalContainers: 1, notReady: true });
    expect(
      'notReady' in toPodSummary({ ...onLostNode, status: { ...onLostNode.status, conditions: [{ type: 'Ready', status: 'True' }] } }),
    ).toBe(false);
  });

  it('sorts newest first, then by name', () => {
    const rows = sortPods([
      { ...toPodSummary(pod), name: 'b', created: '2024-01-01T00:00:00Z' },
      { ...toPodSummary(pod), name: 'a', created: '2024-01-01T00:00:00Z' },
      { ...toPodSummary(pod), name: 'c', created: '2024-02-01T00:00:00Z' },
    ]);
    expect(rows.map((row) => row.name)).toEqual(['c', 'a', 'b']);
  });
});

describe('selectorQuery', () => {
  it('writes matchLabels and every matchExpressions operator as a labelSelector', () => {
    expect(
      selectorQuery({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['front', 'edge'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'canary', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (front,edge),env notin (dev),canary,!legacy');
    expect(selectorQuery({})).toBeUndefined();
    expect(selectorQuery(undefined)).toBeUndefined();
  });
});

describe('describe', () => {
  it('describes a pod: node, both IPs, owner, containers with state and ports, and no last-applied annotation', () => {
    const description = describePod(pod);
    expect(description.status).toBe('Running');
    expect(description.fields).toEqual([
      { label: 'Node', value: 'node-1' },
      { label: 'Pod IPs', value: '10.0.0.5, fd00::5' },
      { label: 'Host IP', value: '192.0.2.1' },
      { label: 'QoS class', value: 'BestEffort' },
      { label: 'Controlled by', value: 'Deployment/web' },
      { label: 'Node selector', value: 'kubernetes.io/os=linux' },
    ]);
    expect(description.annotations).toEqual({ team: 'a' });
    expect(description.containers[1]).toEqual({
      name: 'sidecar',
      image: 'proxy:2',
      init: false,
      state: 'Waiting',
      reason: 'CrashLoopBackOff',
      ready: false,
      restarts: 5,
      ports: ['8080/TCP', '9090/UDP'],
    });
  });

  it('describes a Deployment and a LoadBalancer Service still waiting for its address', () => {
    const deployment = describeDeployment({
      metadata: { name: 'web', namespace: 'shop' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } },
      status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    expect(deployment.status).toBe('2/3 ready, 3 updated, 2 available');
    expect(deployment.fields).toContainEqual({ label: 'Strategy', value: 'RollingUpdate (max surge 1, max unavailable 25%)' });
    const service = describeService({
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        type: 'LoadBalancer',
        clusterIP: '10.96.0.9',
        selector: { app: 'web' },
        ports: [{ port: 80, targetPort: 'http', nodePort: 30080 }],
      },
    });
    expect(service.status).toBe('LoadBalancer 10.96.0.9');
    expect(service.fields).toContainEqual({ label: 'External IP', value: '<pending>' });
    expect(service.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }]);
  });
});
