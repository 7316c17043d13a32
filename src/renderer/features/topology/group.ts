/**
 * Pipeline stage 3, grouping: objects -> graph. Pods are grouped by their top owner
 * (Deployment via its ReplicaSet, StatefulSet, DaemonSet, Job); a group with many pods is one
 * node with a count until expanded. Physical layer host -> VM -> node from the node annotations
 * nestlab.dev/host and nestlab.dev/vm. Traffic: Service -> EndpointSlice -> pods (their group),
 * Ingress -> Service, Gateway -> HTTPRoute -> Service. Edges point left to right for the layout:
 * host -> VM -> node -> group -> slice -> Service -> Ingress / HTTPRoute -> Gateway.
 */
import type { NodeObject, PodObject, TopologyObject, WorkloadObject } from '../../../shared/contract';
import type { GraphEdge, GraphNode, GraphStatus, TopologyGraph } from './graph-types';

export interface GroupOptions {
  /** Groups with more pods than this start collapsed. Default 8. */
  collapseAbove?: number;
  /** Groups whose default (collapsed or expanded) the user flipped. */
  toggled?: ReadonlySet<string>;
  /** At most this many pods are drawn inside an expanded group. Default 200. */
  maxExpandedPods?: number;
  /** uids that matched the search. */
  matches?: ReadonlySet<string>;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job']);

export function nodeStatus(node: NodeObject): GraphStatus {
  if (node.ready === 'True') return node.unschedulable ? { tone: 'warning', text: 'Ready, cordoned' } : { tone: 'ok', text: 'Ready' };
  if (node.ready === 'False') return { tone: 'error', text: 'NotReady' };
  return { tone: 'error', text: 'NotReady (no heartbeat)' };
}

export function podStatus(pod: PodObject): GraphStatus {
  if (pod.terminating) return { tone: 'unknown', text: 'Terminating' };
  if (pod.reason) return { tone: 'error', text: pod.reason };
  if (pod.phase === 'Failed') return { tone: 'error', text: 'Failed' };
  if (pod.phase === 'Succeeded') return { tone: 'ok', text: 'Completed' };
  if (pod.ready) return { tone: 'ok', text: 'Running' };
  if (pod.phase === 'Pending') return { tone: 'warning', text: 'Pending' };
  return { tone: 'warning', text: `${pod.phase}, not ready` };
}

function groupStatus(total: number, ready: number, desired: number | undefined, problems: number): GraphStatus {
  const text = `${ready}/${desired ?? total} ready`;
  if (problems > 0) return { tone: 'error', text: `${text}, ${problems} failing` };
  if (ready === (desired ?? total) && total === (desired ?? total)) return { tone: 'ok', text };
  return { tone: 'warning', text };
}

const osName = { linux: 'Linux', windows: 'Windows', other: 'Other OS' } as const;

interface Group {
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  desired?: number;
  pods: PodObject[];
}

export function buildGraph(objects: readonly TopologyObject[], options: GroupOptions = {}): TopologyGraph {
  const collapseAbove = options.collapseAbove ?? 8;
  const maxExpanded = options.maxExpandedPods ?? 200;
  const toggled = options.toggled ?? new Set<string>();
  const matches = options.matches ?? new Set<string>();
  const byUid = new Map<string, TopologyObject>();
  for (const object of objects) byUid.set(object.uid, object);

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const nodeIds = new Set<string>();
  const add = (node: GraphNode) => {
    if (nodeIds.has(node.id)) return;
    nodeIds.add(node.id);
    if (matches.size > 0 && node.uid && matches.has(node.uid)) node.match = true;
    nodes.push(node);
  };
  const edgeIds = new Set<string>();
  const link = (source: string, target: string, kind: GraphEdge['kind']) => {
    const id = `${kind}:${source}->${target}`;
    if (edgeIds.has(id) || !nodeIds.has(source) || !nodeIds.has(target)) return;
    edgeIds.add(id);
    edges.push({ id, source, target, kind });
  };

  // Physical layer and nodes.
  for (const object of objects) {
    if (object.kind !== 'Node') continue;
    const id = `node:${object.name}`;
    add({
      id,
      type: 'node',
      kind: 'Node',
      label: object.name,
      detail: [osName[object.os], object.role === 'control-plane' ? 'control plane' : 'worker', object.kubeletVersion]
        .filter(Boolean)
        .join(' · '),
      status: nodeStatus(object),
      os: object.os,
      role: object.role,
      uid: object.uid,
    });
    if (object.host) add({ id: `host:${object.host}`, type: 'host', kind: 'Host', label: object.host, detail: 'lab host' });
    if (object.vm)
      add({ id: `vm:${object.vm}`, type: 'vm', kind: 'VM', label: object.vm, detail: object.host ? `VM on ${object.host}` : 'VM' });
    if (object.host && object.vm) link(`host:${object.host}`, `vm:${object.vm}`, 'hosts');
    if (object.vm) link(`vm:${object.vm}`, id, 'hosts');
    else if (object.host) link(`host:${object.host}`, id, 'hosts');
  }

  // Workload groups: the top owner of each pod.
  const groups = new Map<string, Group>();
  const groupOfPod = new Map<string, string>();
  const topOwner = (object: TopologyObject): { uid: string; kind: string; name: string; workload?: WorkloadObject } => {
    let current: TopologyObject = object;
    let ref = object.owner;
    for (let depth = 0; ref && depth < 4; depth += 1) {
      const owner = byUid.get(ref.uid);
      if (!owner || !WORKLOAD_KINDS.has(owner.kind)) return { uid: ref.uid, kind: ref.kind, name: ref.name };
      current = owner;
      ref = owner.owner && WORKLOAD_KINDS.has(owner.owner.kind) ? owner.owner : undefined;
    }
    return { uid: current.uid, kind: current.kind, name: current.name, workload: current as WorkloadObject };
  };
  for (const object of objects) {
    if (
      object.kind === 'Deployment' ||
      object.kind === 'StatefulSet' ||
      object.kind === 'DaemonSet' ||
      (object.kind === 'Job' && !object.owner)
    ) {
      groups.set(`group:${object.uid}`, {
        id: `group:${object.uid}`,
        kind: object.kind,
        name: object.name,
        namespace: object.namespace,
        uid: object.uid,
        desired: object.desired,
        pods: [],
      });
    }
  }
  for (const object of objects) {
    if (object.kind !== 'Pod') continue;
    if (!object.owner) {
      groupOfPod.set(object.uid, `pod:${object.uid}`);
      continue;
    }
    const owner = topOwner(object);
    const id = `group:${owner.uid}`;
    let group = groups.get(id);
    if (!group) {
      group = { id, kind: owner.kind, name: owner.name, namespace: object.namespace, pods: [] };
      if (owner.workload) {
        group.uid = owner.workload.uid;
        group.desired = owner.workload.desired;
      }
      groups.set(id, group);
    }
    group.pods.push(object);
    groupOfPod.set(object.uid, id);
  }

  for (const group of groups.values()) {
    const total = group.pods.length;
    const ready = group.pods.filter((pod) => pod.ready).length;
    const problems = group.pods.filter((pod) => podStatus(pod).tone === 'error').length;
    const expanded = total <= collapseAbove !== toggled.has(group.id);
    const shown = expanded ? Math.min(total, maxExpanded) : 0;
    add({
      id: group.id,
      type: 'group',
      kind: group.kind,
      label: group.name,
      namespace: group.namespace,
      detail: `${group.kind} · ${total} ${total === 1 ? 'pod' : 'pods'}`,
      status: groupStatus(total, ready, group.desired, problems),
      uid: group.uid,
      pods: { total, ready, shown },
      expanded,
    });
    const drawn = shown > 0 ? [...group.pods].sort((a, b) => a.name.localeCompare(b.name)).slice(0, shown) : [];
    for (const pod of drawn) {
      add({
        id: `pod:${pod.uid}`,
        type: 'pod',
        kind: 'Pod',
        label: pod.name,
        namespace: pod.namespace,
        detail: pod.nodeName,
        status: podStatus(pod),
        uid: pod.uid,
        parent: group.id,
      });
    }
    for (const nodeName of new Set(group.pods.map((pod) => pod.nodeName).filter(Boolean))) link(`node:${nodeName}`, group.id, 'runs');
  }
  for (const object of objects) {
    if (object.kind !== 'Pod' || object.owner) continue;
    add({
      id: `pod:${object.uid}`,
      type: 'pod',
      kind: 'Pod',
      label: object.name,
      namespace: object.namespace,
      detail: object.nodeName,
      status: podStatus(object),
      uid: object.uid,
    });
    if (object.nodeName) link(`node:${object.nodeName}`, `pod:${object.uid}`, 'runs');
  }

  // Traffic.
  const serviceId = (namespace: string | undefined, name: string) => `svc:${namespace ?? ''}/${name}`;
  for (const object of objects) {
    if (object.kind === 'Service') {
      const external = object.externalAddresses?.length ? ` · ${object.externalAddresses.join(', ')}` : '';
      add({
        id: serviceId(object.namespace, object.name),
        type: 'service',
        kind: 'Service',
        label: object.name,
        namespace: object.namespace,
        detail: `${object.type} · ${object.ports.join(', ')}${external}`,
        uid: object.uid,
      });
    }
  }
  for (const object of objects) {
    switch (object.kind) {
      case 'EndpointSlice': {
        if (!object.service || !nodeIds.has(serviceId(object.namespace, object.service))) break;
        const id = `slice:${object.uid}`;
        const status: GraphStatus =
          object.endpointCount === 0
            ? { tone: 'warning', text: 'no endpoints' }
            : {
                tone: object.readyCount === object.endpointCount ? 'ok' : 'warning',
                text: `${object.readyCount}/${object.endpointCount} ready`,
              };
        add({
          id,
          type: 'slice',
          kind: 'EndpointSlice',
          label: object.name,
          namespace: object.namespace,
          detail: 'EndpointSlice',
          status,
          uid: object.uid,
        });
        link(id, serviceId(object.namespace, object.service), 'endpoints');
        for (const group of new Set(object.podUids.map((uid) => groupOfPod.get(uid)).filter((id): id is string => Boolean(id))))
          link(group, id, 'endpoints');
        break;
      }
      case 'Ingress': {
        const id = `ing:${object.uid}`;
        add({
          id,
          type: 'ingress',
          kind: 'Ingress',
          label: object.name,
          namespace: object.namespace,
          detail: object.hosts.join(', ') || 'any host',
          uid: object.uid,
        });
        for (const service of object.services) link(serviceId(object.namespace, service), id, 'serves');
        break;
      }
      case 'Gateway':
        add({
          id: `gw:${object.namespace ?? ''}/${object.name}`,
          type: 'gateway',
          kind: 'Gateway',
          label: object.name,
          namespace: object.namespace,
          detail: object.gatewayClass,
          uid: object.uid,
        });
        break;
      default:
        break;
    }
  }
  for (const object of objects) {
    if (object.kind !== 'HTTPRoute') continue;
    const id = `route:${object.uid}`;
    add({ id, type: 'route', kind: 'HTTPRoute', label: object.name, namespace: object.namespace, uid: object.uid });
    for (const service of object.services) link(`svc:${service}`, id, 'routes');
    for (const gateway of object.gateways) link(id, `gw:${gateway}`, 'routes');
  }
  return { nodes, edges };
}
