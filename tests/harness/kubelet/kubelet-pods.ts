import type { SimulatedNodeOs } from '../simulated-node-objects.js';

/** A pod as a simulated kubelet sees it: only what logs, exec and port-forward need. */
export interface KubeletPod {
  namespace: string;
  name: string;
  uid: string;
  nodeName: string;
  labels: Record<string, string>;
  containers: KubeletContainer[];
}

export interface KubeletContainer {
  name: string;
  /** Declared containerPorts (empty when the pod declares none). */
  ports: number[];
}

/** Looks up a pod bound to one of the agent's nodes; undefined when the agent does not know it. */
export type FindPod = (namespace: string, name: string) => KubeletPod | undefined;

/** The node a kubelet server stands in for. */
export interface KubeletNode {
  name: string;
  os: SimulatedNodeOs;
}

/** Identifies one container (logs, exec sessions, the attach shell). */
export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** Which containers a setter or query applies to: every field left out matches everything. */
export type ContainerFilter = Partial<ContainerRef>;

export function matches(filter: ContainerFilter | undefined, ref: ContainerRef): boolean {
  return (
    filter === undefined ||
    ((filter.namespace === undefined || filter.namespace === ref.namespace) &&
      (filter.pod === undefined || filter.pod === ref.pod) &&
      (filter.container === undefined || filter.container === ref.container))
  );
}

export function containerKey(ref: ContainerRef): string {
  return `${ref.namespace}/${ref.pod}/${ref.container}`;
}
