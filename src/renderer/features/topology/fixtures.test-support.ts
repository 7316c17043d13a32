/** Small object builders for the pipeline tests. */
import type { NodeObject, PodObject, TopologyObject } from '../../../shared/contract';

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
