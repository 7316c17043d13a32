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
import type { EndpointSliceObject, PodObject, TopologyObject } from '../../../shared/contract';
import {
  containerBox,
  endpointsOf,
  gatewayBox,
  groupNode,
  hostBox,
  ingressBox,
  isExpanded,
  nodeBox,
  podBox,
  routeBox,
  serviceBox,
  sliceBox,
  vmBox,
} from './boxes';
import { GraphBuilder } from './graph-builder';
import type { ContainerTally, GroupTally, IndexedGraph } from './graph-types';
import { gatewayRefId, groupId, hostId, namespaceBoxId, nodeId, podId, serviceId, serviceRefId, sliceId, vmId } from './ids';
import { isGroupRoot, topOwnerOf } from './owners';
import { countBoxes, isKeptGroup, planFolding, poolsOf, type Pool } from './simplify';
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
  /** Above this many boxes the map folds what is healthy (simplify.ts). Default BOX_BUDGET. */
  budget?: number;
  /** Whether the map drawn before this one was folded (it then unfolds a little below the budget). */
  folded?: boolean;
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

/** How a group is drawn: expanded or not, and the pods inside its box. */
interface GroupDrawing {
  expanded: boolean;
  pods: PodObject[];
}

export function buildGraph(objects: readonly TopologyObject[], options: GroupOptions = {}): IndexedGraph {
  const matches = options.matches ?? new Set<string>();
  const toggled = options.toggled ?? new Set<string>();
  const { groups, groupOfPod } = collectGroups(objects);
  const drawings = drawGroups(groups, {
    collapseAbove: options.collapseAbove ?? DEFAULT_COLLAPSE_ABOVE,
    maxExpanded: options.maxExpandedPods ?? 200,
    maxFailing: options.maxFailingPods ?? MAX_FAILING_PODS_COLLAPSED,
    toggled,
  });
  const pools = poolsOf(objects, matches);
  const kept = (group: Group) => isKeptGroup(group, matches, toggled);
  const census = [...groups.values()].map((group) => ({
    namespace: group.namespace,
    boxes: 1 + drawings.get(group.id)!.pods.length,
    kept: kept(group),
  }));
  const plan = planFolding(countBoxes(objects, census, pools, matches, toggled), options.budget, options.folded);
  const graph = new GraphBuilder(matches);
  const containers = new Containers(graph, toggled);
  addPhysicalLayer(graph, objects, plan.pools ? pools : new Map(), containers);
  const folds = (group: Group) => group.namespace !== undefined && plan.namespaces.has(group.namespace) && !kept(group);
  const tallies = addGroups(graph, groups, drawings, folds, containers);
  addLonePods(graph, objects);
  const slices = addTraffic(graph, objects, groupOfPod, {
    slices: plan.slices,
    folds: (object) => object.namespace !== undefined && plan.namespaces.has(object.namespace) && !matches.has(object.uid),
    containers,
  });
  // Namespaces the user opened keep a box (to close them again) while others are folded.
  if (plan.namespaces.size > 0) for (const group of groups.values()) if (group.namespace) containers.openNamespace(group.namespace);
  containers.finish();
  const index = {
    groups: tallies,
    folded: graph.folded,
    containers: containers.tallies,
    slices,
    slicesFolded: plan.slices,
    pooled: plan.pools,
  };
  return { nodes: graph.nodes, edges: graph.edges, index };
}

/** The pool and namespace boxes of a graph, each added when its first member folds in. */
class Containers {
  readonly tallies = new Map<string, ContainerTally>();

  constructor(
    private readonly graph: GraphBuilder,
    private readonly toggled: ReadonlySet<string>,
  ) {}

  pool(pool: Pool): ContainerTally {
    return this.get(pool.id, { kind: 'NodePool', name: pool.key, label: pool.label });
  }

  namespace(namespace: string): ContainerTally {
    return this.get(namespaceBoxId(namespace), { kind: 'Namespace', name: namespace, label: namespace });
  }

  /** A namespace the user opened: its box, marked open. */
  openNamespace(namespace: string): void {
    if (this.toggled.has(namespaceBoxId(namespace))) this.namespace(namespace);
  }

  private get(id: string, names: Pick<ContainerTally, 'kind' | 'name' | 'label'>): ContainerTally {
    let tally = this.tallies.get(id);
    if (!tally) {
      tally = { id, ...names, members: 0, services: 0, total: 0, ready: 0, expanded: this.toggled.has(id) };
      this.tallies.set(id, tally);
      this.graph.add(containerBox(tally));
    }
    return tally;
  }

  /** Every member is counted: the boxes get their final data. */
  finish(): void {
    for (const tally of this.tallies.values()) this.graph.set(containerBox(tally));
  }
}

/** Nodes, with the lab host and VM each runs on when its annotations say; pooled ones in their pool's box. */
function addPhysicalLayer(
  graph: GraphBuilder,
  objects: readonly TopologyObject[],
  pools: ReadonlyMap<string, Pool>,
  containers: Containers,
): void {
  for (const object of objects) {
    if (object.kind !== 'Node') continue;
    const id = nodeId(object.name);
    const pool = pools.get(object.name);
    if (pool) {
      const tally = containers.pool(pool);
      if (object.host) graph.add(hostBox(object.host));
      if (object.host) graph.link(hostId(object.host), pool.id, 'hosts');
      if (!tally.expanded) {
        tally.members += 1;
        graph.fold(id, pool.id);
        if (object.vm) graph.fold(vmId(object.vm), pool.id);
        continue;
      }
    }
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
  const groupByOwner = new Map<string, Group>();
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
    // Pods of one ReplicaSet share their group: the owner chain is walked once per direct owner.
    let group = groupByOwner.get(object.owner.uid);
    if (!group) {
      const owner = topOwnerOf(object, (uid) => byUid.get(uid));
      const id = groupId(owner.uid);
      group = groups.get(id);
      if (!group) {
        group = newGroup(id, owner.kind, owner.name, object.namespace);
        if (owner.workload) {
          group.uid = owner.workload.uid;
          group.desired = owner.workload.desired;
        }
        groups.set(id, group);
      }
      groupByOwner.set(object.owner.uid, group);
    }
    const id = group.id;
    group.pods.push(object);
    group.total += 1;
    if (object.ready) group.ready += 1;
    if (isProblem(object)) group.problems += 1;
    if (object.nodeName) group.nodes.set(object.nodeName, (group.nodes.get(object.nodeName) ?? 0) + 1);
    groupOfPod.set(object.uid, id);
  }
  return { groups, groupOfPod };
}

/** How each group is drawn: expanded or collapsed, and which of its pods sit inside its box. */
function drawGroups(
  groups: ReadonlyMap<string, Group>,
  options: { collapseAbove: number; maxExpanded: number; maxFailing: number; toggled: ReadonlySet<string> },
): Map<string, GroupDrawing> {
  const drawings = new Map<string, GroupDrawing>();
  for (const group of groups.values()) {
    const expanded = isExpanded(group.id, group.total, options.collapseAbove, options.toggled);
    // Most groups are collapsed and healthy: nothing inside, no pod to look at again.
    const pods =
      !expanded && group.problems === 0 ? [] : drawnPods(group.pods, expanded ? options.maxExpanded : options.maxFailing, !expanded);
    drawings.set(group.id, { expanded, pods });
  }
  return drawings;
}

/**
 * Each group's box with the pods drawn inside it, or the group folded into its namespace's box;
 * node -> group edges (from the node's pool when it is in one). Returns the tallies.
 */
function addGroups(
  graph: GraphBuilder,
  groups: ReadonlyMap<string, Group>,
  drawings: ReadonlyMap<string, GroupDrawing>,
  folds: (group: Group) => boolean,
  containers: Containers,
): Map<string, GroupTally> {
  const tallies = new Map<string, GroupTally>();
  for (const group of groups.values()) {
    const { pods: _pods, ...tally } = group;
    const drawing = drawings.get(group.id)!;
    if (folds(group)) {
      const box = containers.namespace(group.namespace!);
      box.members += 1;
      box.total += group.total;
      box.ready += group.ready;
      graph.fold(group.id, box.id);
      tally.shown = 0;
    } else {
      tally.shown = drawing.pods.length;
      graph.add(groupNode(tally, drawing.expanded));
      for (const pod of drawing.pods) graph.add(podBox(pod, group.id));
    }
    tallies.set(group.id, tally);
    // Sorted, so the order does not depend on which pod came first (an in-place patch keeps it too).
    const sources = new Set<string>();
    for (const name of group.nodes.keys()) sources.add(graph.drawn(nodeId(name)));
    for (const source of [...sources].sort()) graph.link(source, group.id, 'runs');
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

interface TrafficFolding {
  /** EndpointSlices fold into their Service. */
  slices: boolean;
  /** The object folds into its namespace's box. */
  folds: (object: TopologyObject) => boolean;
  containers: Containers;
}

/**
 * Services, their EndpointSlices (to the groups of the pods they list), Ingresses, Gateways and
 * HTTPRoutes. Returns each slice's uid -> the box its endpoint edges go into.
 */
function addTraffic(
  graph: GraphBuilder,
  objects: readonly TopologyObject[],
  groupOfPod: ReadonlyMap<string, string>,
  folding: TrafficFolding,
): Map<string, string> {
  const endpoints = new Map<string, EndpointSliceObject[]>();
  if (folding.slices) {
    for (const object of objects) {
      if (object.kind !== 'EndpointSlice' || !object.service) continue;
      const id = serviceId(object.namespace, object.service);
      endpoints.set(id, [...(endpoints.get(id) ?? []), object]);
    }
  }
  for (const object of objects) {
    if (object.kind !== 'Service') continue;
    const id = serviceId(object.namespace, object.name);
    if (folding.folds(object)) {
      folding.containers.namespace(object.namespace!).services += 1;
      graph.fold(id, namespaceBoxId(object.namespace!));
    } else graph.add(serviceBox(object, folding.slices ? endpointsOf(endpoints.get(id) ?? []) : undefined));
  }
  const slices = new Map<string, string>();
  for (const object of objects) {
    switch (object.kind) {
      case 'EndpointSlice': {
        if (!object.service || !graph.has(serviceId(object.namespace, object.service))) break;
        const id = sliceId(object.uid);
        if (folding.slices) graph.fold(id, graph.drawn(serviceId(object.namespace, object.service)));
        else graph.add(sliceBox(object));
        slices.set(object.uid, graph.drawn(id));
        graph.link(id, serviceId(object.namespace, object.service), 'endpoints');
        for (const group of new Set(object.podUids.map((uid) => groupOfPod.get(uid)).filter((id): id is string => Boolean(id))))
          graph.link(group, id, 'endpoints');
        break;
      }
      case 'Ingress': {
        const box = ingressBox(object);
        if (folding.folds(object)) graph.fold(box.id, namespaceBoxId(object.namespace!));
        else graph.add(box);
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
  return slices;
}
