/** Small object builders for the pipeline tests. */
import type { EndpointSliceObject, NodeObject, PodObject, ServiceObject, TopologyObject } from '../../../shared/contract';

export function node(name: string, extra: Partial<NodeObject> = {}): NodeObject {
  return { kind: 'Node', uid: `n-${name}`, name, role: 'worker', os: 'linux', ready: 'True', conditions: [], ...extra };
}

export function deployment(name: string, desired: number, namespace = 'default'): TopologyObject[] {
  return [
    { kind: 'Deployment', uid: `d-${name}`, name, namespace, desired, ready: desired },
    {
      kind: 'ReplicaSet',
      uid: `rs-${name}`,
      name: `${name}-abc`,
      namespace,
      desired,
      ready: desired,
      owner: { kind: 'Deployment', name, uid: `d-${name}` },
    },
  ];
}

export function pod(name: string, owner: string | undefined, nodeName: string, extra: Partial<PodObject> = {}): PodObject {
  const result: PodObject = {
    kind: 'Pod',
    uid: `p-${name}`,
    name,
    namespace: 'default',
    phase: 'Running',
    ready: true,
    restarts: 0,
    nodeName,
    ...extra,
  };
  if (owner) result.owner = { kind: 'ReplicaSet', name: `${owner}-abc`, uid: `rs-${owner}` };
  return result;
}

export function podsOf(owner: string, count: number, nodes: string[]): PodObject[] {
  return Array.from({ length: count }, (_, index) => pod(`${owner}-${index}`, owner, nodes[index % nodes.length]!));
}

export function service(name: string, ports = ['80/TCP']): ServiceObject {
  return { kind: 'Service', uid: `s-${name}`, name, namespace: 'default', type: 'ClusterIP', ports };
}

/** The EndpointSlice of Service `name`, listing `podUids` (all ready unless told). */
export function endpointSlice(name: string, podUids: string[], readyCount = podUids.length): EndpointSliceObject {
  return {
    kind: 'EndpointSlice',
    uid: `es-${name}`,
    name: `${name}-x`,
    namespace: 'default',
    service: name,
    podUids,
    readyCount,
    endpointCount: podUids.length,
  };
}
