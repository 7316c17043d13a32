/**
 * A synthetic cluster the size issue #23 aims at, built in memory for the pipeline tests: 300
 * nodes (a control plane, Linux workers in three lab hosts' pools, Windows workers), Deployments
 * with ReplicaSets and their pods spread over the nodes, one Service and EndpointSlice per
 * Deployment, an Ingress per ten Services, in namespaces of ten Deployments each. Deterministic:
 * the same options always give the same objects.
 */
import type { IngressObject, NodeObject, PodObject, TopologyObject } from '../../../shared/contract';

export interface ScaleOptions {
  nodes?: number;
  windowsNodes?: number;
  deployments?: number;
  replicas?: number;
  deploymentsPerNamespace?: number;
  /** Node names to report NotReady. */
  notReady?: string[];
  /** Pod names to report failing (CrashLoopBackOff). */
  failing?: string[];
}

export const nodeName = (index: number): string => (index === 0 ? 'cp-0' : `worker-${index}`);
export const deploymentName = (index: number): string => `app-${index}`;
export const podName = (deployment: number, replica: number): string => `app-${deployment}-${replica}`;
export const namespaceOf = (deployment: number, perNamespace = 10): string => `team-${Math.floor(deployment / perNamespace)}`;

export function scaleCluster(options: ScaleOptions = {}): TopologyObject[] {
  const nodeCount = options.nodes ?? 300;
  const windows = options.windowsNodes ?? 30;
  const deployments = options.deployments ?? 300;
  const replicas = options.replicas ?? 100;
  const perNamespace = options.deploymentsPerNamespace ?? 10;
  const notReady = new Set(options.notReady ?? []);
  const failing = new Set(options.failing ?? []);
  const objects: TopologyObject[] = [];
  const names: string[] = [];
  for (let index = 0; index < nodeCount; index += 1) {
    const name = nodeName(index);
    names.push(name);
    const isWindows = index >= nodeCount - windows;
    const node: NodeObject = {
      kind: 'Node',
      uid: `n-${name}`,
      name,
      role: index === 0 ? 'control-plane' : 'worker',
      os: isWindows ? 'windows' : 'linux',
      ready: notReady.has(name) ? 'False' : 'True',
      kubeletVersion: 'v1.20.2',
      conditions: [],
    };
    if (!isWindows) {
      node.host = `lab-${index % 3}`;
      node.vm = `lab-${index % 3}-${name}`;
    }
    objects.push(node);
  }
  for (let index = 0; index < deployments; index += 1) {
    const name = deploymentName(index);
    const namespace = namespaceOf(index, perNamespace);
    const deploymentUid = `d-${name}`;
    const replicaSetUid = `rs-${name}`;
    objects.push(
      { kind: 'Deployment', uid: deploymentUid, name, namespace, desired: replicas, ready: replicas },
      {
        kind: 'ReplicaSet',
        uid: replicaSetUid,
        name: `${name}-abc`,
        namespace,
        desired: replicas,
        ready: replicas,
        owner: { kind: 'Deployment', name, uid: deploymentUid },
      },
    );
    const podUids: string[] = [];
    for (let replica = 0; replica < replicas; replica += 1) {
      const pod = podName(index, replica);
      const problem = failing.has(pod);
      const object: PodObject = {
        kind: 'Pod',
        uid: `p-${pod}`,
        name: pod,
        namespace,
        phase: 'Running',
        ready: !problem,
        restarts: problem ? 5 : 0,
        // Spread like a scheduler would: each Deployment on about a third of the nodes.
        nodeName: names[(index * 7 + replica * 3) % nodeCount]!,
        owner: { kind: 'ReplicaSet', name: `${name}-abc`, uid: replicaSetUid },
      };
      if (problem) object.reason = 'CrashLoopBackOff';
      objects.push(object);
      podUids.push(object.uid);
    }
    objects.push(
      { kind: 'Service', uid: `s-${name}`, name, namespace, type: 'ClusterIP', ports: ['80/TCP'] },
      {
        kind: 'EndpointSlice',
        uid: `es-${name}`,
        name: `${name}-x`,
        namespace,
        service: name,
        podUids,
        readyCount: podUids.length,
        endpointCount: podUids.length,
      },
    );
    if (index % 10 === 0) {
      const ingress: IngressObject = {
        kind: 'Ingress',
        uid: `i-${name}`,
        name,
        namespace,
        hosts: [`${name}.lab.test`],
        services: Array.from({ length: Math.min(10, deployments - index) }, (_, offset) => deploymentName(index + offset)),
      };
      objects.push(ingress);
    }
  }
  return objects;
}
