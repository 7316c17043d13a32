/**
 * Pipeline stage 3a, simplification: above a box budget the map folds what is healthy into
 * summary boxes, so the DOM stays within what pan and zoom can move at once (TopologyMap keeps
 * every box in the DOM up to RENDER_ALL_UP_TO_BOXES; Headlamp keeps the ~500 most important
 * boxes above 1,000). Unfolded, 30,000 pods on 300 nodes are some 1,500 boxes and 30,000 node ->
 * workload edges. Each step runs only while the map is still over budget:
 * 1. EndpointSlices fold into their Service (workload -> Service edges; the Service says how many
 *    endpoints are ready);
 * 2. healthy nodes fold into a pool per lab host, OS and role (their VMs with them);
 * 3. namespaces fold into one box each, the one that saves the most boxes first.
 * Never folded: nodes that are not Ready or are cordoned, workloads with failing pods, what the
 * search matched, and what the user opened (a pool or namespace box, a workload they expanded).
 * buildGraph (group.ts) counts the boxes and draws the plan; patch.ts follows it in place.
 */
import type { NodeObject, TopologyObject } from '../../../shared/contract';
import { namespaceBoxId, poolId } from './ids';
import { nodeStatus } from './status';

/** The map folds above this many boxes (pods drawn inside workloads count). */
export const BOX_BUDGET = 500;

export interface FoldPlan {
  slices: boolean;
  pools: boolean;
  namespaces: ReadonlySet<string>;
}

export const noFolding: FoldPlan = { slices: false, pools: false, namespaces: new Set() };

export interface BoxCounts {
  /** Boxes the map draws without folding. */
  total: number;
  /** EndpointSlice boxes. */
  slices: number;
  /** Boxes that pooling healthy nodes saves (the nodes and their VMs, less one box per pool). */
  pools: number;
  /** Per namespace: the boxes folding it takes in, and how many of those are EndpointSlices. */
  namespaces: ReadonlyMap<string, { boxes: number; slices: number }>;
}

/**
 * A map that folds unfolds only once it is this share of the budget or less: a cluster that
 * hovers at the budget (pods scaled up and down by one) does not switch its whole layout each time.
 */
export const UNFOLD_AT = 0.9;

/** `folded`: whether the map drawn now is folded (then it stays folded down to UNFOLD_AT of the budget). */
export function planFolding(counts: BoxCounts, budget = BOX_BUDGET, folded = false): FoldPlan {
  let total = counts.total;
  if (total <= (folded ? Math.floor(budget * UNFOLD_AT) : budget)) return noFolding;
  total -= counts.slices;
  const pools = total > budget && counts.pools > 0;
  if (pools) total -= counts.pools;
  const namespaces = new Set<string>();
  if (total > budget) {
    // Slices are folded already; the namespace's own box takes one place.
    const savings = [...counts.namespaces]
      .map(([name, { boxes, slices }]) => ({ name, saving: boxes - slices - 1 }))
      .filter((entry) => entry.saving > 0)
      .sort((a, b) => b.saving - a.saving || a.name.localeCompare(b.name));
    for (const { name, saving } of savings) {
      if (total <= budget) break;
      namespaces.add(name);
      total -= saving;
    }
  }
  return { slices: true, pools, namespaces };
}

/** Healthy nodes that share a lab host, an OS and a role. */
export interface Pool {
  id: string;
  key: string;
  label: string;
  /** Nodes in it, and how many of them have a VM box. */
  nodes: number;
  vms: number;
}

const osNames = { linux: 'Linux', windows: 'Windows', other: 'Other OS' } as const;

/**
 * Node name -> its pool, for nodes that may be folded: Ready, not cordoned, not matched by the
 * search, in a pool of at least two.
 */
export function poolsOf(objects: readonly TopologyObject[], matches: ReadonlySet<string>): Map<string, Pool> {
  const byKey = new Map<string, { pool: Pool; names: string[] }>();
  for (const object of objects) {
    if (object.kind !== 'Node' || nodeStatus(object).tone !== 'ok' || matches.has(object.uid)) continue;
    const key = `${object.host ?? ''}/${object.os}-${object.role}`;
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { pool: { id: poolId(key), key, label: poolLabel(object), nodes: 0, vms: 0 }, names: [] }));
    entry.pool.nodes += 1;
    if (object.vm) entry.pool.vms += 1;
    entry.names.push(object.name);
  }
  const pools = new Map<string, Pool>();
  for (const { pool, names } of byKey.values()) if (pool.nodes >= 2) for (const name of names) pools.set(name, pool);
  return pools;
}

function poolLabel(node: NodeObject): string {
  const role = node.role === 'control-plane' ? 'control planes' : 'workers';
  return `${osNames[node.os]} ${role}${node.host ? ` on ${node.host}` : ''}`;
}

/** A workload drawn whatever the budget: it has failing pods, the search matched it, or the user expanded or collapsed it. */
export function isKeptGroup(
  group: { id: string; uid?: string; problems: number },
  matches: ReadonlySet<string>,
  toggled: ReadonlySet<string>,
): boolean {
  return group.problems > 0 || (group.uid !== undefined && matches.has(group.uid)) || toggled.has(group.id);
}

/** One workload group as the census counts it: its box and the pods drawn inside it. */
export interface GroupCensus {
  namespace?: string;
  boxes: number;
  kept: boolean;
}

/** How many boxes the map draws unfolded, and what each folding step would save. */
export function countBoxes(
  objects: readonly TopologyObject[],
  groups: readonly GroupCensus[],
  pools: ReadonlyMap<string, Pool>,
  matches: ReadonlySet<string>,
  toggled: ReadonlySet<string>,
): BoxCounts {
  const namespaces = new Map<string, { boxes: number; slices: number }>();
  const foldable = (namespace: string | undefined, boxes: number, slices = 0) => {
    if (namespace === undefined || toggled.has(namespaceBoxId(namespace))) return;
    const entry = namespaces.get(namespace) ?? { boxes: 0, slices: 0 };
    entry.boxes += boxes;
    entry.slices += slices;
    namespaces.set(namespace, entry);
  };
  const hosts = new Set<string>();
  const vms = new Set<string>();
  let total = 0;
  let slices = 0;
  for (const group of groups) {
    total += group.boxes;
    if (!group.kept) foldable(group.namespace, group.boxes);
  }
  for (const object of objects) {
    switch (object.kind) {
      case 'Node':
        total += 1;
        if (object.host) hosts.add(object.host);
        if (object.vm) vms.add(object.vm);
        break;
      case 'Pod':
        if (!object.owner) total += 1;
        break;
      case 'EndpointSlice':
        if (!object.service) break;
        total += 1;
        slices += 1;
        foldable(object.namespace, 1, 1);
        break;
      case 'Service':
      case 'Ingress':
        total += 1;
        if (!matches.has(object.uid)) foldable(object.namespace, 1);
        break;
      case 'Gateway':
      case 'HTTPRoute':
        total += 1;
        break;
      default:
        break;
    }
  }
  let pooled = 0;
  for (const pool of new Set(pools.values())) if (!toggled.has(pool.id)) pooled += pool.nodes + pool.vms - 1;
  return { total: total + hosts.size + vms.size, slices, pools: pooled, namespaces };
}
