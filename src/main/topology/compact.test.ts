import { describe, expect, it } from 'vitest';
import { compactObject } from './compact';
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
});
