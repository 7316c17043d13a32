import { describe, expect, it } from 'vitest';
import { compactObject, SharedValues } from './compact';
import type { RawObject } from '../kube/raw-types';

describe('compactObject', () => {
  it('keeps what the map shows of a node and drops the rest', () => {
    const raw = {
      metadata: {
        uid: 'n1',
        name: 'win-1',
        labels: { 'kubernetes.io/os': 'windows' },
        annotations: { 'nestlab.dev/host': 'lab-1', 'nestlab.dev/vm': 'lab-1-win-1', other: 'x' },
        managedFields: [{ manager: 'kubelet' }],
      },
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
        nodeInfo: { kubeletVersion: 'v1.20.2', osImage: 'Windows Server 2019 Datacenter' },
        images: [{ names: ['big'] }],
      },
    } as RawObject;
    const node = compactObject('Node', raw);
    expect(node).toEqual({
      kind: 'Node',
      uid: 'n1',
      name: 'win-1',
      labels: { 'kubernetes.io/os': 'windows' },
      role: 'worker',
      os: 'windows',
      ready: 'True',
      kubeletVersion: 'v1.20.2',
      osImage: 'Windows Server 2019 Datacenter',
      host: 'lab-1',
      vm: 'lab-1-win-1',
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    });
    expect(JSON.stringify(node)).not.toContain('managedFields');
  });

  it('names a control-plane node by either role label', () => {
    const node = compactObject('Node', { metadata: { uid: 'n', name: 'cp', labels: { 'node-role.kubernetes.io/master': '' } } });
    expect(node).toMatchObject({ role: 'control-plane', ready: 'Unknown', os: 'other' });
  });

  it('gives a pod its controller, readiness, restarts and a problem reason', () => {
    const pod = compactObject('Pod', {
      metadata: {
        uid: 'p',
        name: 'web-1',
        namespace: 'default',
        ownerReferences: [{ kind: 'ReplicaSet', name: 'web-abc', uid: 'rs', controller: true }],
        deletionTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: { nodeName: 'sim-linux-1' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [{ restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      },
    });
    expect(pod).toMatchObject({
      kind: 'Pod',
      owner: { kind: 'ReplicaSet', name: 'web-abc', uid: 'rs' },
      nodeName: 'sim-linux-1',
      ready: false,
      restarts: 3,
      reason: 'CrashLoopBackOff',
      terminating: true,
    });
  });

  it('reads EndpointSlices of v1 and v1beta1 alike', () => {
    const slice = compactObject('EndpointSlice', {
      metadata: { uid: 's', name: 'web-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      endpoints: [
        { conditions: { ready: true }, targetRef: { kind: 'Pod', uid: 'p1' } },
        { conditions: { ready: false }, targetRef: { kind: 'Pod', uid: 'p2' } },
        { targetRef: { kind: 'Node', uid: 'n' } },
      ],
    });
    expect(slice).toMatchObject({ service: 'web', podUids: ['p1', 'p2'], readyCount: 2, endpointCount: 3 });
  });

  it('reads Ingress backends of networking v1 and v1beta1', () => {
    const v1 = compactObject('Ingress', {
      metadata: { uid: 'i', name: 'i', namespace: 'd' },
      spec: { rules: [{ host: 'a.test', http: { paths: [{ backend: { service: { name: 'web' } } }] } }] },
    });
    const beta = compactObject('Ingress', {
      metadata: { uid: 'j', name: 'j', namespace: 'd' },
      spec: { backend: { serviceName: 'api' }, rules: [{ http: { paths: [{ backend: { serviceName: 'web' } }] } }] },
    });
    expect(v1).toMatchObject({ hosts: ['a.test'], services: ['web'] });
    expect(beta).toMatchObject({ hosts: [], services: ['api', 'web'] });
  });

  it('reads HTTPRoute parents and backends as namespace/name', () => {
    const route = compactObject('HTTPRoute', {
      metadata: { uid: 'r', name: 'r', namespace: 'apps' },
      spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules: [{ backendRefs: [{ name: 'web' }, { name: 'web' }] }] },
    });
    expect(route).toMatchObject({ gateways: ['infra/gw'], services: ['apps/web'] });
  });

  it('counts workloads', () => {
    expect(
      compactObject('Deployment', { metadata: { uid: 'd', name: 'd' }, spec: { replicas: 300 }, status: { readyReplicas: 299 } }),
    ).toMatchObject({
      desired: 300,
      ready: 299,
    });
    expect(
      compactObject('DaemonSet', { metadata: { uid: 'x', name: 'x' }, status: { desiredNumberScheduled: 4, numberReady: 3 } }),
    ).toMatchObject({
      desired: 4,
      ready: 3,
    });
  });

  it('names a pod the scheduler cannot place by its PodScheduled reason', () => {
    const pod = compactObject('Pod', {
      metadata: { uid: 'p', name: 'web-9', namespace: 'default' },
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }],
      },
    });
    expect(pod).toMatchObject({ phase: 'Pending', ready: false, reason: 'Unschedulable' });
    const scheduled = compactObject('Pod', {
      metadata: { uid: 'q', name: 'web-8', namespace: 'default' },
      status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }] },
    });
    expect(scheduled).not.toHaveProperty('reason');
  });

  it('keeps what many pods repeat once, and nothing the map does not show', () => {
    const shared = new SharedValues();
    const raw = (name: string, rs: string) => ({
      metadata: {
        uid: `p-${name}`,
        name,
        namespace: 'team-1',
        creationTimestamp: '2026-01-01T00:00:00Z',
        labels: { app: 'web' },
        ownerReferences: [{ kind: 'ReplicaSet', name: rs, uid: `rs-${rs}`, controller: true }],
        managedFields: [{ manager: 'kubelet' }],
      },
      spec: { nodeName: 'worker-1', containers: [{ name: 'web', image: 'web:1' }] },
      status: { phase: 'Running', podIP: '10.244.0.7', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const a = compactObject('Pod', raw('web-a', 'web-1'), shared);
    const b = compactObject('Pod', raw('web-b', 'web-1'), shared);
    const other = compactObject('Pod', raw('api-a', 'api-1'), shared);
    expect(a.owner).toBe(b.owner);
    expect(other.owner).toEqual({ kind: 'ReplicaSet', name: 'api-1', uid: 'rs-api-1' });
    expect(a).toEqual({
      kind: 'Pod',
      uid: 'p-web-a',
      name: 'web-a',
      namespace: 'team-1',
      labels: { app: 'web' },
      owner: { kind: 'ReplicaSet', name: 'web-1', uid: 'rs-web-1' },
      phase: 'Running',
      ready: true,
      restarts: 0,
      nodeName: 'worker-1',
    });
    // A held owner is given only for the same kind and name as well as uid.
    expect(shared.owner('ReplicaSet', 'renamed', 'rs-web-1')).toEqual({ kind: 'ReplicaSet', name: 'renamed', uid: 'rs-web-1' });
  });

  it('starts its pool of shared values again when it is full', () => {
    const shared = new SharedValues(2);
    const first = shared.owner('ReplicaSet', 'a', 'rs-a');
    shared.owner('ReplicaSet', 'b', 'rs-b');
    shared.owner('ReplicaSet', 'c', 'rs-c');
    expect(shared.owner('ReplicaSet', 'a', 'rs-a')).not.toBe(first);
    expect(shared.owner('ReplicaSet', 'a', 'rs-a')).toEqual(first);
  });
});
