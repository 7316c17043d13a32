/**
 * The pods list's filter and sort over every row (30,000 and more), not just the visible ones.
 * `indexPods` reads each row once into flat keys (typed arrays, lower-cased names, ranks of the
 * strings), so a sort compares numbers and a filter scans one array: both stay far under the
 * 100 ms a keystroke may take. React files only render what these functions return.
 */
import type { PodSummary } from '../../../shared/contract';

/** How a pod is doing, worst first: the order of the default "problems first" sort. */
export type PodHealth = 'failing' | 'pending' | 'not-ready' | 'terminating' | 'ok';

const healthRank: Record<PodHealth, number> = { failing: 0, pending: 1, 'not-ready': 2, terminating: 3, ok: 4 };

/** Reasons a container or pod gives that are part of a normal life, not a problem. */
const benignReasons = new Set(['ContainerCreating', 'PodInitializing', 'Completed']);

/**
 * Failing: the pod failed or is lost (Failed, Unknown), or a container says why it cannot run
 * (CrashLoopBackOff, ImagePullBackOff, Error, OOMKilled, Evicted...) or the scheduler finds no
 * node (Unschedulable). Pending: not started yet. Not ready: running with a container not ready,
 * or on a node that went NotReady.
 */
export function podHealth(pod: PodSummary): PodHealth {
  if (pod.phase === 'Failed' || pod.phase === 'Unknown') return 'failing';
  if (pod.reason !== undefined && !benignReasons.has(pod.reason)) return 'failing';
  if (pod.phase === 'Pending') return 'pending';
  if (pod.phase === 'Terminating') return 'terminating';
  if (pod.phase === 'Running' && (pod.notReady === true || pod.readyContainers < pod.totalContainers)) return 'not-ready';
  return 'ok';
}

export function isProblem(health: PodHealth): boolean {
  return health === 'failing' || health === 'pending' || health === 'not-ready';
}

export type PodSortKey = 'status' | 'name' | 'namespace' | 'age' | 'restarts' | 'node';
export type SortDirection = 'ascending' | 'descending';

export interface PodSort {
  key: PodSortKey;
  direction: SortDirection;
}

/** Problems first (failing, pending, not ready), then by reason, namespace and name. */
export const defaultPodSort: PodSort = { key: 'status', direction: 'ascending' };

/** What a header click gives: the other direction on the same column, else the column's natural first direction. */
export function nextSort(current: PodSort, key: PodSortKey): PodSort {
  if (current.key === key) return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  // Most restarts first: the restarts worth looking at.
  return { key, direction: key === 'restarts' ? 'descending' : 'ascending' };
}

/** One label requirement: `key=value` (or `==`), `key!=value`, `key` (has it), `!key` (has it not). */
export type LabelRequirement = { key: string; op: 'equals' | 'not-equals'; value: string } | { key: string; op: 'exists' | 'not-exists' };

export type LabelSelectorParse = { ok: true; requirements: LabelRequirement[] } | { ok: false; error: string };

const labelKey = /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/;
const labelValue = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Reads a label filter as kubectl's `-l` reads equality selectors: requirements joined by commas. */
export function parseLabelSelector(text: string): LabelSelectorParse {
  const requirements: LabelRequirement[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const match = /^(!?)\s*([^!=\s]+)\s*(?:(!=|==|=)\s*(\S*))?$/.exec(part);
    const [, not, key, op, value] = match ?? [];
    if (key === undefined || !labelKey.test(key) || (not === '!' && op !== undefined)) {
      return { ok: false, error: `"${part}" is not a label requirement: write key=value, key!=value, key or !key, joined by commas.` };
    }
    if (op === undefined) {
      requirements.push({ key, op: not === '!' ? 'not-exists' : 'exists' });
    } else if (!labelValue.test(value ?? '')) {
      return { ok: false, error: `"${value}" in "${part}" is not a label value (letters, digits, - _ . inside, at most 63).` };
    } else {
      requirements.push({ key, op: op === '!=' ? 'not-equals' : 'equals', value: value ?? '' });
    }
  }
  return { ok: true, requirements };
}

function matchesLabels(labels: Record<string, string> | undefined, requirements: readonly LabelRequirement[]): boolean {
  for (const requirement of requirements) {
    // Own keys only: a label named "constructor" must not find Object.prototype's.
    const has = labels !== undefined && Object.hasOwn(labels, requirement.key);
    switch (requirement.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'not-exists':
        if (has) return false;
        break;
      case 'equals':
        if (!has || labels[requirement.key] !== requirement.value) return false;
        break;
      case 'not-equals':
        // As in Kubernetes: a pod without the label matches key!=value.
        if (has && labels[requirement.key] === requirement.value) return false;
        break;
    }
  }
  return true;
}

export interface PodFilter {
  /** A part of the pod's name, any case. */
  name: string;
  /** One namespace; '' for all. */
  namespace: string;
  labels: readonly LabelRequirement[];
  /** Only failing, pending and not-ready pods. */
  problemsOnly: boolean;
}

export const emptyPodFilter: PodFilter = { name: '', namespace: '', labels: [], problemsOnly: false };

/** How many pods of each kind of problem the list holds. */
export interface ProblemCounts {
  failing: number;
  pending: number;
  notReady: number;
  total: number;
}

/** The rows and their precomputed keys. Build once per list; sort and filter many times. */
export interface PodIndex {
  readonly pods: readonly PodSummary[];
  readonly health: readonly PodHealth[];
  /** The namespaces present, sorted, with how many pods each holds. */
  readonly namespaces: readonly { name: string; pods: number }[];
  readonly problems: ProblemCounts;
  /** @internal */ readonly keys: SortKeys;
}

interface SortKeys {
  nameLower: string[];
  rank: Uint8Array;
  restarts: Float64Array;
  /** Creation time in ms; rows without one count as oldest. */
  created: Float64Array;
  namespaceId: Int32Array;
  nodeId: Int32Array;
  reasonId: Int32Array;
  /** Position in (namespace, name) order: the tie-break of every sort, unique per row. */
  identity: Int32Array;
  /** Position in (name, namespace) order, made on first use. */
  byName?: Int32Array;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ids of `values` in sorted order of the distinct values ('' first). */
function sortedIds(values: readonly string[]): { ids: Int32Array; distinct: string[] } {
  const distinct = [...new Set(values)].sort(compareText);
  const idOf = new Map(distinct.map((value, id) => [value, id]));
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i += 1) ids[i] = idOf.get(values[i]!)!;
  return { ids, distinct };
}

/** Row positions ordered by `compare`, as each row's rank in that order. */
function rankBy(count: number, compare: (a: number, b: number) => number): Int32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  order.sort(compare);
  const rank = new Int32Array(count);
  for (let position = 0; position < count; position += 1) rank[order[position]!] = position;
  return rank;
}

export function indexPods(pods: readonly PodSummary[]): PodIndex {
  const count = pods.length;
  const health = pods.map(podHealth);
  const nameLower = pods.map((pod) => pod.name.toLowerCase());
  const namespaces = sortedIds(pods.map((pod) => pod.namespace));
  const nodes = sortedIds(pods.map((pod) => pod.node ?? ''));
  const reasons = sortedIds(pods.map((pod) => pod.reason ?? pod.phase));
  const rank = new Uint8Array(count);
  const restarts = new Float64Array(count);
  const created = new Float64Array(count);
  const perNamespace = new Array<number>(namespaces.distinct.length).fill(0);
  const problems: ProblemCounts = { failing: 0, pending: 0, notReady: 0, total: 0 };
  for (let i = 0; i < count; i += 1) {
    const pod = pods[i]!;
    rank[i] = healthRank[health[i]!];
    restarts[i] = pod.restarts;
    const time = pod.created === undefined ? Number.NaN : Date.parse(pod.created);
    created[i] = Number.isNaN(time) ? -Infinity : time;
    perNamespace[namespaces.ids[i]!]! += 1;
    if (health[i] === 'failing') problems.failing += 1;
    else if (health[i] === 'pending') problems.pending += 1;
    else if (health[i] === 'not-ready') problems.notReady += 1;
  }
  problems.total = problems.failing + problems.pending + problems.notReady;
  const namespaceId = namespaces.ids;
  const identity = rankBy(count, (a, b) => namespaceId[a]! - namespaceId[b]! || compareText(pods[a]!.name, pods[b]!.name));
  return {
    pods,
    health,
    namespaces: namespaces.distinct.map((name, id) => ({ name, pods: perNamespace[id]! })),
    problems,
    keys: { nameLower, rank, restarts, created, namespaceId, nodeId: nodes.ids, reasonId: reasons.ids, identity },
  };
}

function byNameRank(index: PodIndex): Int32Array {
  const keys = index.keys;
  const pods = index.pods;
  keys.byName ??= rankBy(pods.length, (a, b) => compareText(pods[a]!.name, pods[b]!.name) || keys.identity[a]! - keys.identity[b]!);
  return keys.byName;
}

/**
 * Every row's position in the order of `sort`: ascending age is youngest first, ascending
 * status is problems first. Ties keep (namespace, name) order, whichever the direction.
 */
export function sortPods(index: PodIndex, sort: PodSort): Uint32Array {
  const { rank, restarts, created, nodeId, reasonId, identity } = index.keys;
  const count = index.pods.length;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  let primary: (a: number, b: number) => number;
  switch (sort.key) {
    case 'status':
      primary = (a, b) => rank[a]! - rank[b]! || reasonId[a]! - reasonId[b]!;
      break;
    case 'name': {
      const byName = byNameRank(index);
      primary = (a, b) => byName[a]! - byName[b]!;
      break;
    }
    case 'namespace':
      primary = (a, b) => identity[a]! - identity[b]!;
      break;
    case 'age':
      // Youngest (latest created) first when ascending.
      primary = (a, b) => (created[a]! === created[b]! ? 0 : created[a]! > created[b]! ? -1 : 1);
      break;
    case 'restarts':
      primary = (a, b) => restarts[a]! - restarts[b]!;
      break;
    case 'node':
      primary = (a, b) => nodeId[a]! - nodeId[b]!;
      break;
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) order[i] = i;
  return order.sort((a, b) => sign * primary(a, b) || identity[a]! - identity[b]!);
}

/** The rows of `order` that pass `filter`, in that order. */
export function filterPods(index: PodIndex, order: Uint32Array, filter: PodFilter): Uint32Array {
  const { nameLower, namespaceId, rank } = index.keys;
  const needle = filter.name.trim().toLowerCase();
  const namespace = filter.namespace === '' ? -1 : index.namespaces.findIndex((entry) => entry.name === filter.namespace);
  if (filter.namespace !== '' && namespace === -1) return new Uint32Array(0);
  const problemRank = healthRank['not-ready'];
  const kept = new Uint32Array(order.length);
  let length = 0;
  for (const row of order) {
    if (namespace !== -1 && namespaceId[row] !== namespace) continue;
    if (filter.problemsOnly && rank[row]! > problemRank) continue;
    if (needle !== '' && !nameLower[row]!.includes(needle)) continue;
    if (filter.labels.length > 0 && !matchesLabels(index.pods[row]!.labels, filter.labels)) continue;
    kept[length] = row;
    length += 1;
  }
  return kept.slice(0, length);
}
