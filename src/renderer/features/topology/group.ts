/**
 * Pipeline stage 3, grouping: objects -> graph. Pods are grouped by their top owner
 * (Deployment via its ReplicaSet, StatefulSet, DaemonSet, Job); a group with many pods is one
 * node with a count until expanded. Physical layer host -> VM -> node from the node annotations
 * nestlab.dev/host and nestlab.dev/vm. Traffic: Service -> EndpointSlice -> pods (their group),
 * Ingress -> Service, Gateway -> HTTPRoute -> Service. Edges point left to right for the layout:
 * host -> VM -> node -> group -> slice -> Service -> Ingress / HTTPRoute -> Gateway.
 */
import type { EndpointSliceObject, NodeObject, PodObject, ServiceObject, TopologyObject, WorkloadObject } from '../../../shared/contract';
import type { GraphEdge, GraphNode, GraphStatus, TopologyGraph } from './graph-types';

export interface GroupOptions {
  /** Groups with more pods than this start collapsed. Default {@link DEFAULT_COLLAPSE_ABOVE}. */
  collapseAbove?: number;
  /** Groups whose default (collapsed or expanded) the user flipped. */
  toggled?: ReadonlySet<string>;
  /** At most this many pods are drawn inside an expanded group. Default 200. */
  maxExpandedPods?: number;
  /** uids that matched the search. */
  matches?: ReadonlySet<string>;
}

/** Groups with more pods than this start collapsed. */
export const DEFAULT_COLLAPSE_ABOVE = 8;

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

export function groupStatus(total: number, ready: number, desired: number | undefined, problems: number): GraphStatus {
  const text = `${ready}/${desired ?? total} ready`;
  if (problems > 0) return { tone: 'error', text: `${text}, ${problems} failing` };
  if (ready === (desired ?? total) && total === (desired ?? total)) return { tone: 'ok', text };
  return { tone: 'warning', text };
}

const osName = { linux: 'Linux', windows: 'Windows', other: 'Other OS' } as const;

/** What the map shows of a workload group, kept so a pod change can update the group in place. */
export interface GroupTally {
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  uid?: string;
  desired?: number;
  total: number;
  ready: number;
  /** Pods whose status is an error. */
  problems: number;
  /** Pods per node name: a node -> group edge exists while its count is above zero. */
  nodes: Map<string, number>;
  /** Pods drawn inside the group (0 when collapsed). */
  shown: number;
}

/** Side table of a graph: each group's tally. */
export interface GraphIndex {
  groups: Map<string, GroupTally>;
}

export interface IndexedGraph extends TopologyGraph {
  index: GraphIndex;
}

interface Group extends GroupTally {
  pods: PodObject[];
}

/** A pod counts as a problem when its status is an error. */
export const isProblem = (pod: PodObject): boolean => podStatus(pod).tone === 'error';

/** The box of a workload group, from its tally. */
export function groupNode(tally: GroupTally, expanded: boolean): GraphNode {
  const { total, ready } = tally;
  return {
    id: tally.id,
    type: 'group',
    kind: tally.kind,
    label: tally.name,
    namespace: tally.namespace,
    detail: `${tally.kind} · ${total} ${total === 1 ? 'pod' : 'pods'}`,
    status: groupStatus(total, ready, tally.desired, tally.problems),
    uid: tally.uid,
    pods: { total, ready, shown: tally.shown },
    expanded,
  };
}

/** Whether a group is drawn expanded: small groups are, unless the user flipped that. */
export function isExpanded(groupId: string, total: number, collapseAbove: number, toggled: ReadonlySet<string>): boolean {
  return total <= collapseAbove !== toggled.has(groupId);
}

export function nodeBox(object: NodeObject): GraphNode {
  return {
    id: `node:${object.name}`,
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
  };
}

export const serviceId = (namespace: string | undefined, name: string): string => `svc:${namespace ?? ''}/${name}`;

export function serviceBox(object: ServiceObject): GraphNode {
  const external = object.externalAddresses?.length ? ` · ${object.externalAddresses.join(', ')}` : '';
  return {
    id: serviceId(object.namespace, object.name),
    type: 'service',
    kind: 'Service',
    label: object.name,
    namespace: object.namespace,
    detail: `${object.type} · ${object.ports.join(', ')}${external}`,
    uid: object.uid,
  };
}

export function sliceBox(object: EndpointSliceObject): GraphNode {
  const status: GraphStatus =
    object.endpointCount === 0
      ? { tone: 'warning', text: 'no endpoints' }
      : {
          tone: object.readyCount === object.endpointCount ? 'ok' : 'warning',
          text: `${object.readyCount}/${object.endpointCount} ready`,
        };
  return {
    id: `slice:${object.uid}`,
    type: 'slice',
    kind: 'EndpointSlice',
    label: object.name,
    namespace: object.namespace,
    detail: 'EndpointSlice',
    status,
    uid: object.uid,
  };
}

/** The owner a pod is grouped under: its top workload (Deployment via ReplicaSet...), or its direct owner. */
export function topOwnerOf(
  object: TopologyObject,
  lookup: (uid: string) => TopologyObject | undefined,
): { uid: string; kind: string; name: string; workload?: WorkloadObject } {
  let current: TopologyObject = object;
  let ref = object.owner;
  for (let depth = 0; ref && depth < 4; depth += 1) {
    const owner = lookup(ref.uid);
    if (!owner || !WORKLOAD_KINDS.has(owner.kind)) return { uid: ref.uid, kind: ref.kind, name: ref.name };
    current = owner;
    ref = owner.owner && WORKLOAD_KINDS.has(owner.owner.kind) ? owner.owner : undefined;
  }
  return { uid: current.uid, kind: current.kind, name: current.name, workload: current as WorkloadObject };
}

/** Kinds whose objects are the root of a group even before they have pods. */
export function isGroupRoot(object: TopologyObject): object is WorkloadObject {
  return (
    object.kind === 'Deployment' || object.kind === 'StatefulSet' || object.kind === 'DaemonSet' || (object.kind === 'Job' && !object.owner)
  );
}

export function buildGraph(objects: readonly TopologyObject[], options: GroupOptions = {}): IndexedGraph {
  const collapseAbove = options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE;
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
    add(nodeBox(object));
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
  const newGroup = (id: string, kind: string, name: string, namespace: string | undefined): Group => ({
    id,
    kind,
    name,
    namespace,
    total: 0,
    ready: 0,
    problems: 0,
    nodes: new Map(),
    shown: 0,
    pods: [],
  });
  for (const object of objects) {
    if (!isGroupRoot(object)) continue;
    const group = newGroup(`group:${object.uid}`, object.kind, object.name, object.namespace);
    group.uid = object.uid;
    group.desired = object.desired;
    groups.set(group.id, group);
  }
  for (const object of objects) {
    if (object.kind !== 'Pod') continue;
    if (!object.owner) {
      groupOfPod.set(object.uid, `pod:${object.uid}`);
      continue;
    }
    const owner = topOwnerOf(object, (uid) => byUid.get(uid));
    const id = `group:${owner.uid}`;
    let group = groups.get(id);
    if (!group) {
      group = newGroup(id, owner.kind, owner.name, object.namespace);
      if (owner.workload) {
        group.uid = owner.workload.uid;
        group.desired = owner.workload.desired;
      }
      groups.set(id, group);
    }
    group.pods.push(object);
    group.total += 1;
    if (object.ready) group.ready += 1;
    if (isProblem(object)) group.problems += 1;
    if (object.nodeName) group.nodes.set(object.nodeName, (group.nodes.get(object.nodeName) ?? 0) + 1);
    groupOfPod.set(object.uid, id);
  }

  const tallies = new Map<string, GroupTally>();
  for (const group of groups.values()) {
    const { pods, ...tally } = group;
    const expanded = isExpanded(group.id, group.total, collapseAbove, toggled);
    tally.shown = expanded ? Math.min(group.total, maxExpanded) : 0;
    tallies.set(group.id, tally);
    add(groupNode(tally, expanded));
    const drawn = tally.shown > 0 ? [...pods].sort((a, b) => a.name.localeCompare(b.name)).slice(0, tally.shown) : [];
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
    // Sorted, so the order does not depend on which pod came first (an in-place patch keeps it too).
    for (const nodeName of [...group.nodes.keys()].sort()) link(`node:${nodeName}`, group.id, 'runs');
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
  for (const object of objects) if (object.kind === 'Service') add(serviceBox(object));
  for (const object of objects) {
    switch (object.kind) {
      case 'EndpointSlice': {
        if (!object.service || !nodeIds.has(serviceId(object.namespace, object.service))) break;
        const id = `slice:${object.uid}`;
        add(sliceBox(object));
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
  return { nodes, edges, index: { groups: tallies } };
}
