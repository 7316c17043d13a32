/**
 * Pipeline stage 3b, the in-place update: a batch of changes that alters no box's place or
 * size is applied to the previous graph instead of rebuilding it from all objects. At 5,000
 * pods that is the common case: pods come and go inside collapsed groups, Services and
 * EndpointSlices change their ports and ready counts, nodes their status. Anything else (a box
 * or an edge appears or goes, a group expands or collapses, a search is active) returns
 * undefined and the caller makes a full pass. The result must equal what {@link buildGraph}
 * makes from the same objects; patch.test.ts checks exactly that.
 */
import type { EndpointSliceObject, NodeObject, PodObject, TopologyObject, WorkloadObject } from '../../../shared/contract';
import type { ObjectChange } from './client-model';
import type { TopologyFilter } from './filter';
import { groupNode, isExpanded, nodeBox, serviceBox, sliceBox } from './boxes';
import type { GraphNode, GroupTally, IndexedGraph } from './graph-types';
import { groupId, isSliceId, nodeId, podId, sliceId } from './ids';
import { topOwnerOf, WORKLOAD_KINDS } from './owners';
import { isProblem } from './status';

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
  const namespaces = options.filter.namespaces.length > 0 ? new Set(options.filter.namespaces) : undefined;
  const inScope = (object: TopologyObject) => !object.namespace || !namespaces || namespaces.has(object.namespace);
  const positions = new Map(graph.nodes.map((node, index) => [node.id, index]));
  const nodes = [...graph.nodes];
  const changed = new Set<string>();
  const replace = (node: GraphNode) => {
    const index = positions.get(node.id);
    if (index === undefined) fullPass();
    nodes[index] = node;
    changed.add(node.id);
  };
  const groups = new Map(graph.index.groups);
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
  const groupIdOf = (pod: PodObject) => (pod.owner ? groupId(topOwnerOf(pod, lookup).uid) : podId(pod.uid));
  const changedSlices = new Set<string>();
  let podDelta = 0;
  let podsCameOrWent = false;
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
      case 'Pod':
        if (before) countPod(before as PodObject, -1);
        if (after) countPod(after as PodObject, 1);
        if (!before !== !after) {
          podDelta += after ? 1 : -1;
          podsCameOrWent = true;
        }
        return;
      case 'Service':
        if (!before || !after) fullPass();
        replace(serviceBox(after as Extract<TopologyObject, { kind: 'Service' }>));
        return;
      case 'EndpointSlice': {
        const was = before as EndpointSliceObject | undefined;
        const is = after as EndpointSliceObject | undefined;
        if (!was || !is || was.service !== is.service) fullPass();
        if (positions.has(sliceId(is.uid))) {
          replace(sliceBox(is));
          changedSlices.add(is.uid);
        }
        return;
      }
      case 'Node': {
        const was = before as NodeObject | undefined;
        const is = after as NodeObject | undefined;
        if (!was || !is || was.host !== is.host || was.vm !== is.vm) fullPass();
        replace(nodeBox(is));
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
      const original = graph.index.groups.get(id)!;
      const wasExpanded = graph.nodes[positions.get(id)!]?.expanded;
      const expanded = isExpanded(id, tally.total, options.collapseAbove, options.toggled);
      // Pods drawn inside the group (before or after), a group that expands or collapses, or one
      // that empties (it may go) change boxes.
      if (original.shown > 0 || expanded !== wasExpanded || (expanded && tally.total > 0) || tally.total <= 0) fullPass();
      if (!sameDrawnNodes(original.nodes, tally.nodes, positions)) fullPass();
      replace(groupNode(tally, expanded));
    }
    // Slice -> group edges follow the pods a slice lists: check the slices that changed, and all
    // of them when pods came or went (a slice may list a pod before or after the pod exists).
    const drawnSlices = graph.nodes.filter((node) => node.type === 'slice' && (podsCameOrWent || changedSlices.has(node.uid!)));
    if (drawnSlices.length > 0) {
      const sources = endpointSources(graph);
      for (const node of drawnSlices) {
        const slice = lookup(node.uid!) as EndpointSliceObject | undefined;
        if (!slice) fullPass();
        const now = new Set<string>();
        for (const uid of slice.podUids) {
          const pod = lookup(uid);
          if (pod?.kind === 'Pod' && inScope(pod)) now.add(groupIdOf(pod));
        }
        if (!sameSet(now, sources.get(node.id) ?? new Set())) fullPass();
      }
    }
  } catch (error) {
    if (error instanceof NeedsFullPass) return undefined;
    throw error;
  }
  return {
    graph: { nodes: changed.size > 0 ? nodes : graph.nodes, edges: graph.edges, index: { groups } },
    changed,
    podDelta,
    addedOrDeleted,
  };
}

/** A node -> group edge is drawn for each node that runs a pod of the group and has a box. */
function sameDrawnNodes(
  before: ReadonlyMap<string, number>,
  after: ReadonlyMap<string, number>,
  boxes: ReadonlyMap<string, number>,
): boolean {
  const drawn = (counts: ReadonlyMap<string, number>) => new Set([...counts.keys()].filter((name) => boxes.has(nodeId(name))));
  return sameSet(drawn(before), drawn(after));
}

/** Slice id -> the boxes with an endpoints edge into it (groups and lone pods). */
function endpointSources(graph: IndexedGraph): Map<string, Set<string>> {
  const sources = new Map<string, Set<string>>();
  for (const edge of graph.edges) {
    if (edge.kind !== 'endpoints' || !isSliceId(edge.target)) continue;
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
