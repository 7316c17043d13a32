/**
 * Pipeline stage 3, grouping: objects -> graph. Pods are grouped by their top owner
 * (Deployment via its ReplicaSet, StatefulSet, DaemonSet, Job); a group with many pods is one
 * node with a count until expanded. Physical layer host -> VM -> node from the node annotations
 * nestlab.dev/host and nestlab.dev/vm. Traffic: Service -> EndpointSlice -> pods (their group),
 * Ingress -> Service, Gateway -> HTTPRoute -> Service. Edges point left to right for the layout:
 * host -> VM -> node -> group -> slice -> Service -> Ingress / HTTPRoute -> Gateway.
 *
 * buildGraph runs one pass per layer below; the boxes come from boxes.ts and their ids from
 * ids.ts, which patch.ts (the in-place update) shares.
 */
import type { PodObject, TopologyObject } from '../../../shared/contract';
import { gatewayBox, groupNode, hostBox, ingressBox, isExpanded, nodeBox, podBox, routeBox, serviceBox, sliceBox, vmBox } from './boxes';
import type { GraphEdge, GraphNode, GroupTally, IndexedGraph } from './graph-types';
import { edgeId, gatewayRefId, groupId, hostId, nodeId, podId, serviceId, serviceRefId, sliceId, vmId } from './ids';
import { isGroupRoot, topOwnerOf } from './owners';
import { isProblem } from './status';

export interface GroupOptions {
  /** Groups with more pods than this start collapsed. Default {@link DEFAULT_COLLAPSE_ABOVE}. */
  collapseAbove?: number;
  /** Groups whose default (collapsed or expanded) the user flipped. */
  toggled?: ReadonlySet<string>;
  /** At most this many pods are drawn inside an expanded group, failing ones first. Default 200. */
  maxExpandedPods?: number;
  /** At most this many failing pods are drawn inside a collapsed group. Default {@link MAX_FAILING_PODS_COLLAPSED}. */
  maxFailingPods?: number;
  /** uids that matched the search. */
  matches?: ReadonlySet<string>;
}

/** Groups with more pods than this start collapsed. */
export const DEFAULT_COLLAPSE_ABOVE = 8;

/**
 * A collapsed group still draws its failing pods (errors stay visible whatever is grouped away),
 * up to three rows of them; the box says how many more fail, and expanding it lists them first.
 */
export const MAX_FAILING_PODS_COLLAPSED = 9;

interface Group extends GroupTally {
  pods: PodObject[];
}

/** Collects boxes and edges once each; an edge is drawn only between boxes that exist. */
class GraphBuilder {
  readonly nodes: GraphNode[] = [];
  readonly edges: GraphEdge[] = [];
  private readonly nodeIds = new Set<string>();
  private readonly edgeIds = new Set<string>();

  constructor(private readonly matches: ReadonlySet<string>) {}

  has(id: string): boolean {
    return this.nodeIds.has(id);
  }

  add(node: GraphNode): void {
    if (this.nodeIds.has(node.id)) return;
    this.nodeIds.add(node.id);
    if (this.matches.size > 0 && node.uid && this.matches.has(node.uid)) node.match = true;
    this.nodes.push(node);
  }

  link(source: string, target: string, kind: GraphEdge['kind']): void {
    const id = edgeId(kind, source, target);
    if (this.edgeIds.has(id) || !this.nodeIds.has(source) || !this.nodeIds.has(target)) return;
    this.edgeIds.add(id);
    this.edges.push({ id, source, target, kind });
  }
}

export function buildGraph(objects: readonly TopologyObject[], options: GroupOptions = {}): IndexedGraph {
  const graph = new GraphBuilder(options.matches ?? new Set<string>());
  addPhysicalLayer(graph, objects);
  const { groups, groupOfPod } = collectGroups(objects);
  const tallies = addGroups(graph, groups, {
    collapseAbove: options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE,
    maxExpanded: options.maxExpandedPods ?? 200,
    maxFailing: options.maxFailingPods ?? MAX_FAILING_PODS_COLLAPSED,
    toggled: options.toggled ?? new Set<string>(),
  });
  addLonePods(graph, objects);
  addTraffic(graph, objects, groupOfPod);
  return { nodes: graph.nodes, edges: graph.edges, index: { groups: tallies } };
}

/** Nodes, with the lab host and VM each runs on when its annotations say. */
function addPhysicalLayer(graph: GraphBuilder, objects: readonly TopologyObject[]): void {
  for (const object of objects) {
    if (object.kind !== 'Node') continue;
    const id = nodeId(object.name);
    graph.add(nodeBox(object));
    if (object.host) graph.add(hostBox(object.host));
    if (object.vm) graph.add(vmBox(object.vm, object.host));
    if (object.host && object.vm) graph.link(hostId(object.host), vmId(object.vm), 'hosts');
    if (object.vm) graph.link(vmId(object.vm), id, 'hosts');
    else if (object.host) graph.link(hostId(object.host), id, 'hosts');
  }
}

/** Workload groups: every workload that heads one, and the top owner of each pod. Lone pods are their own box. */
function collectGroups(objects: readonly TopologyObject[]): { groups: Map<string, Group>; groupOfPod: Map<string, string> } {
  const byUid = new Map<string, TopologyObject>();
  for (const object of objects) byUid.set(object.uid, object);
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
    const group = newGroup(groupId(object.uid), object.kind, object.name, object.namespace);
    group.uid = object.uid;
    group.desired = object.desired;
    groups.set(group.id, group);
  }
  for (const object of objects) {
    if (object.kind !== 'Pod') continue;
    if (!object.owner) {
      groupOfPod.set(object.uid, podId(object.uid));
      continue;
    }
    const owner = topOwnerOf(object, (uid) => byUid.get(uid));
    const id = groupId(owner.uid);
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
  return { groups, groupOfPod };
}

/** Each group's box, the pods drawn inside it when expanded, and node -> group edges; returns the tallies. */
function addGroups(
  graph: GraphBuilder,
  groups: ReadonlyMap<string, Group>,
  options: { collapseAbove: number; maxExpanded: number; maxFailing: number; toggled: ReadonlySet<string> },
): Map<string, GroupTally> {
  const tallies = new Map<string, GroupTally>();
  for (const group of groups.values()) {
    const { pods, ...tally } = group;
    const expanded = isExpanded(group.id, group.total, options.collapseAbove, options.toggled);
    const drawn = drawnPods(pods, expanded ? options.maxExpanded : options.maxFailing, !expanded);
    tally.shown = drawn.length;
    tallies.set(group.id, tally);
    graph.add(groupNode(tally, expanded));
    for (const pod of drawn) graph.add(podBox(pod, group.id));
    // Sorted, so the order does not depend on which pod came first (an in-place patch keeps it too).
    for (const nodeName of [...group.nodes.keys()].sort()) graph.link(nodeId(nodeName), group.id, 'runs');
  }
  return tallies;
}

/**
 * The pods drawn inside a group: failing ones first, then by name (so the order does not depend
 * on which pod came first), at most `limit`; only the failing ones when `failingOnly`.
 */
export function drawnPods(pods: readonly PodObject[], limit: number, failingOnly: boolean): PodObject[] {
  const failing: PodObject[] = [];
  const others: PodObject[] = [];
  for (const pod of pods) (isProblem(pod) ? failing : others).push(pod);
  const byName = (a: PodObject, b: PodObject) => a.name.localeCompare(b.name);
  failing.sort(byName);
  if (failingOnly || failing.length >= limit) return failing.slice(0, limit);
  return [...failing, ...others.sort(byName).slice(0, limit - failing.length)];
}

/** Pods without an owner: a box each, on their node. */
function addLonePods(graph: GraphBuilder, objects: readonly TopologyObject[]): void {
  for (const object of objects) {
    if (object.kind !== 'Pod' || object.owner) continue;
    graph.add(podBox(object));
    if (object.nodeName) graph.link(nodeId(object.nodeName), podId(object.uid), 'runs');
  }
}

/** Services, their EndpointSlices (to the groups of the pods they list), Ingresses, Gateways and HTTPRoutes. */
function addTraffic(graph: GraphBuilder, objects: readonly TopologyObject[], groupOfPod: ReadonlyMap<string, string>): void {
  for (const object of objects) if (object.kind === 'Service') graph.add(serviceBox(object));
  for (const object of objects) {
    switch (object.kind) {
      case 'EndpointSlice': {
        if (!object.service || !graph.has(serviceId(object.namespace, object.service))) break;
        const id = sliceId(object.uid);
        graph.add(sliceBox(object));
        graph.link(id, serviceId(object.namespace, object.service), 'endpoints');
        for (const group of new Set(object.podUids.map((uid) => groupOfPod.get(uid)).filter((id): id is string => Boolean(id))))
          graph.link(group, id, 'endpoints');
        break;
      }
      case 'Ingress': {
        const box = ingressBox(object);
        graph.add(box);
        for (const service of object.services) graph.link(serviceId(object.namespace, service), box.id, 'serves');
        break;
      }
      case 'Gateway':
        graph.add(gatewayBox(object));
        break;
      default:
        break;
    }
  }
  // After every Gateway: a route links to gateways listed anywhere among the objects.
  for (const object of objects) {
    if (object.kind !== 'HTTPRoute') continue;
    const box = routeBox(object);
    graph.add(box);
    for (const service of object.services) graph.link(serviceRefId(service), box.id, 'routes');
    for (const gateway of object.gateways) graph.link(box.id, gatewayRefId(gateway), 'routes');
  }
}
