/**
 * Pipeline stage 3b, the in-place update: a batch of changes that alters no box's place or
 * size is applied to the previous graph instead of rebuilding it from all objects. At 5,000
 * pods that is the common case: pods come and go inside collapsed groups, Services and
 * EndpointSlices change their ports and ready counts, nodes their status. Anything else (a box
 * or an edge appears or goes, a group expands or collapses, a search is active) returns
 * undefined and the caller makes a full pass. The result must equal what {@link buildGraph}
 * makes from the same objects; patch.test.ts checks exactly that.
 */
import type { EndpointSliceObject, NodeObject, PodObject, ServiceObject, TopologyObject, WorkloadObject } from '../../../shared/contract';
import type { ObjectChange } from './client-model';
import type { TopologyFilter } from './filter';
import { containerBox, endpointsOf, groupNode, isExpanded, nodeBox, podBox, serviceBox, sliceBox } from './boxes';
import type { ContainerTally, GraphNode, GroupTally, IndexedGraph } from './graph-types';
import { groupId, isServiceId, nodeId, podId, serviceId, sliceId } from './ids';
import { topOwnerOf, WORKLOAD_KINDS } from './owners';
import { isProblem, nodeStatus } from './status';

export interface PatchOptions {
  filter: TopologyFilter;
  collapseAbove: number;
  toggled: ReadonlySet<string>;
}

export interface GraphPatch {
  graph: IndexedGraph;
  /** Ids of the boxes whose data was rebuilt. */
  changed: ReadonlySet<string>;
  /** Pods that came (positive) or went (negative) among the objects the filter keeps. */
  podDelta: number;
  /** Objects were added or deleted: the namespace list may differ. */
  addedOrDeleted: boolean;
}

/** Thrown inside the patch when the change needs a full pass; never escapes {@link patchGraph}. */
class NeedsFullPass extends Error {}
function fullPass(): never {
  throw new NeedsFullPass();
}

export function patchGraph(
  graph: IndexedGraph,
  changes: readonly ObjectChange[],
  lookup: (uid: string) => TopologyObject | undefined,
  options: PatchOptions,
): GraphPatch | undefined {
  if (options.filter.search.trim()) return undefined;
  const { index } = graph;
  const drawn = (id: string) => index.folded.get(id) ?? id;
  const namespaces = options.filter.namespaces.length > 0 ? new Set(options.filter.namespaces) : undefined;
  const inScope = (object: TopologyObject) => !object.namespace || !namespaces || namespaces.has(object.namespace);
  const positions = new Map(graph.nodes.map((node, position) => [node.id, position]));
  const nodes = [...graph.nodes];
  const changed = new Set<string>();
  const replace = (node: GraphNode) => {
    const position = positions.get(node.id);
    if (position === undefined) fullPass();
    nodes[position] = node;
    changed.add(node.id);
  };
  const groups = new Map(index.groups);
  const touched = new Map<string, GroupTally>();
  const edit = (id: string): GroupTally => {
    let tally = touched.get(id);
    if (tally) return tally;
    const original = groups.get(id);
    if (!original) return fullPass(); // a new group: a new box
    tally = { ...original, nodes: new Map(original.nodes) };
    groups.set(id, tally);
    touched.set(id, tally);
    return tally;
  };
  const containers = new Map(index.containers);
  const editedContainers = new Set<string>();
  const editContainer = (id: string): ContainerTally => {
    if (!editedContainers.has(id)) {
      editedContainers.add(id);
      containers.set(id, { ...containers.get(id)! });
    }
    return containers.get(id)!;
  };
  const groupIdOf = (pod: PodObject) => (pod.owner ? groupId(topOwnerOf(pod, lookup).uid) : podId(pod.uid));
  /** Boxes endpoint edges go into whose sources may have changed; Services whose folded slices changed. */
  const changedTargets = new Set<string>();
  const changedServices = new Set<string>();
  /** Groups that pods joined or left, and pods that changed and stayed in their group (by group). */
  const podsMoved = new Set<string>();
  const updatedPods = new Map<string, PodObject[]>();
  /** Pods that came, went or changed group: the slices that list them may draw other edges. */
  const movedPodUids = new Set<string>();
  let podDelta = 0;
  let addedOrDeleted = false;

  const countPod = (pod: PodObject, sign: 1 | -1) => {
    // A pod without an owner is a box of its own.
    if (!pod.owner) fullPass();
    // A failing pod is drawn even inside a collapsed group: one that starts, stops or goes on
    // failing adds, removes or changes a box.
    if (isProblem(pod)) fullPass();
    const tally = edit(groupIdOf(pod));
    tally.total += sign;
    if (pod.ready) tally.ready += sign;
    if (pod.nodeName) {
      const count = (tally.nodes.get(pod.nodeName) ?? 0) + sign;
      if (count < 0) fullPass();
      if (count === 0) tally.nodes.delete(pod.nodeName);
      else tally.nodes.set(pod.nodeName, count);
    }
  };

  const applyOne = (change: ObjectChange) => {
    const { before, after } = change;
    const object = (after ?? before)!;
    if (!before !== !after) addedOrDeleted = true;
    // Objects of namespaces the filter hides are never drawn or counted.
    if (!inScope(object)) return;
    switch (object.kind) {
      case 'Pod': {
        if (before) countPod(before as PodObject, -1);
        if (after) countPod(after as PodObject, 1);
        const was = before && groupIdOf(before as PodObject);
        const is = after && groupIdOf(after as PodObject);
        if (was && was === is) updatedPods.set(is, [...(updatedPods.get(is) ?? []), after as PodObject]);
        else {
          for (const id of [was, is]) if (id) podsMoved.add(id);
          // A slice may list a pod before or after the pod exists: its edges may change.
          movedPodUids.add(object.uid);
        }
        if (!before !== !after) podDelta += after ? 1 : -1;
        return;
      }
      case 'Service': {
        if (!before || !after) fullPass();
        const id = serviceId(object.namespace, object.name);
        // Folded into its namespace's box, which only counts it.
        if (index.folded.has(id)) return;
        if (index.slicesFolded) changedServices.add(id);
        else replace(serviceBox(after as ServiceObject));
        return;
      }
      case 'EndpointSlice': {
        const was = before as EndpointSliceObject | undefined;
        const is = after as EndpointSliceObject | undefined;
        if (!was || !is || was.service !== is.service) fullPass();
        const target = index.slices.get(is.uid);
        // A slice of no drawn Service is not drawn.
        if (target === undefined) return;
        changedTargets.add(target);
        if (target === sliceId(is.uid)) replace(sliceBox(is));
        else if (isServiceId(target)) changedServices.add(target);
        return;
      }
      case 'Node': {
        const was = before as NodeObject | undefined;
        const is = after as NodeObject | undefined;
        if (!was || !is || was.host !== is.host || was.vm !== is.vm) fullPass();
        // A node whose health changes moves into or out of its pool.
        if (index.pooled && (nodeStatus(was).tone === 'ok') !== (nodeStatus(is).tone === 'ok')) fullPass();
        if (!index.folded.has(nodeId(is.name))) replace(nodeBox(is));
        return;
      }
      default:
        if (!WORKLOAD_KINDS.has(object.kind) || !before || !after || before.owner?.uid !== after.owner?.uid) fullPass();
        // The workload a group stands for: its desired count is in the group's status.
        if (groups.get(groupId(object.uid))?.uid === object.uid) edit(groupId(object.uid)).desired = (after as WorkloadObject).desired;
    }
  };

  try {
    for (const change of changes) applyOne(change);
    for (const [id, tally] of touched) {
      const original = index.groups.get(id)!;
      // A node -> group edge is drawn for each node (or its pool) that runs a pod of the group.
      if (!sameSet(drawnNodes(original.nodes, drawn, positions), drawnNodes(tally.nodes, drawn, positions))) fullPass();
      const container = index.folded.get(id);
      if (container !== undefined) {
        // Folded into its namespace's box: only the counts change (an emptied group may go).
        if (tally.total <= 0) fullPass();
        const box = editContainer(container);
        box.total += tally.total - original.total;
        box.ready += tally.ready - original.ready;
        continue;
      }
      const wasExpanded = graph.nodes[positions.get(id)!]?.expanded;
      const expanded = isExpanded(id, tally.total, options.collapseAbove, options.toggled);
      // A group that expands or collapses, or one that empties (it may go), changes boxes; so do
      // pods joining or leaving a group that draws pods inside it. Pods that only change keep
      // the same ones drawn (none starts or stops failing: that took a full pass already).
      if (expanded !== wasExpanded || tally.total <= 0) fullPass();
      if ((expanded || original.shown > 0) && podsMoved.has(id)) fullPass();
      for (const pod of updatedPods.get(id) ?? []) if (positions.has(podId(pod.uid))) replace(podBox(pod, id));
      replace(groupNode(tally, expanded));
    }
    for (const id of editedContainers) replace(containerBox(containers.get(id)!));
    const slicesInto =
      changedServices.size > 0 || changedTargets.size > 0 || movedPodUids.size > 0
        ? slicesByTarget(index.slices)
        : new Map<string, string[]>();
    for (const id of changedServices) {
      const service = lookup(nodes[positions.get(id) ?? fullPass()]!.uid!);
      if (service?.kind !== 'Service') fullPass();
      const slices = (slicesInto.get(id) ?? []).map((uid) => lookup(uid)).filter((slice) => slice?.kind === 'EndpointSlice');
      replace(serviceBox(service, endpointsOf(slices)));
    }
    // Endpoint edges follow the pods a slice lists: check the boxes whose slices changed or list
    // a pod that came, went or changed group.
    if (movedPodUids.size > 0) {
      for (const [uid, target] of index.slices) {
        if (changedTargets.has(target)) continue;
        const slice = lookup(uid);
        if (slice?.kind !== 'EndpointSlice') fullPass();
        if (slice.podUids.some((podUid) => movedPodUids.has(podUid))) changedTargets.add(target);
      }
    }
    const targets = [...changedTargets];
    if (targets.length > 0) {
      const sources = endpointSources(graph);
      for (const target of targets) {
        const now = new Set<string>();
        for (const uid of slicesInto.get(target) ?? []) {
          const slice = lookup(uid) as EndpointSliceObject | undefined;
          if (!slice) fullPass();
          for (const podUid of slice.podUids) {
            const pod = lookup(podUid);
            if (pod?.kind === 'Pod' && inScope(pod)) now.add(drawn(groupIdOf(pod)));
          }
        }
        now.delete(target);
        if (!sameSet(now, sources.get(target) ?? new Set())) fullPass();
      }
    }
  } catch (error) {
    if (error instanceof NeedsFullPass) return undefined;
    throw error;
  }
  return {
    graph: { nodes: changed.size > 0 ? nodes : graph.nodes, edges: graph.edges, index: { ...index, groups, containers } },
    changed,
    podDelta,
    addedOrDeleted,
  };
}

/** The boxes drawn for the nodes that run a group's pods: their own, or their pool's. */
function drawnNodes(counts: ReadonlyMap<string, number>, drawn: (id: string) => string, boxes: ReadonlyMap<string, number>): Set<string> {
  const ids = new Set<string>();
  for (const name of counts.keys()) {
    const id = drawn(nodeId(name));
    if (boxes.has(id)) ids.add(id);
  }
  return ids;
}

/** Box id -> the slices whose endpoint edges go into it. */
function slicesByTarget(slices: ReadonlyMap<string, string>): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  for (const [uid, target] of slices) {
    let list = byTarget.get(target);
    if (!list) byTarget.set(target, (list = []));
    list.push(uid);
  }
  return byTarget;
}

/** Box id -> the boxes with an endpoints edge into it (groups, lone pods, namespace boxes). */
function endpointSources(graph: IndexedGraph): Map<string, Set<string>> {
  const sources = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
    if (edge.kind !== 'endpoints') continue;
    let set = sources.get(edge.target);
    if (!set) sources.set(edge.target, (set = new Set()));
    set.add(edge.source);
  }
  return sources;
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const item of a) if (!b.has(item)) return false;
  return true;
}
