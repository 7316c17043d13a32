import { describe, expect, it } from 'vitest';
import type { PodSummary } from '../../../shared/contract';
import {
  defaultPodSort,
  emptyPodFilter,
  filterPods,
  indexPods,
  nextSort,
  parseLabelSelector,
  podHealth,
  sortPods,
  type LabelRequirement,
  type PodFilter,
  type PodIndex,
  type PodSort,
} from './pod-table';

const COUNT = 30_000;
const START = Date.parse('2026-01-01T00:00:00Z');

/**
 * 30,000 pods in 30 namespaces on 300 nodes, as the bench's fixture: pod i of namespace
 * ns-(i % 30), Deployment app-(i % 100), created i seconds after START, i % 7 restarts. A few
 * are in trouble, far apart in the list: every 1,000th crash-loops, every 2,500th is pending,
 * every 3,000th is running but not ready, and one is being deleted.
 */
function syntheticPods(): PodSummary[] {
  const pods: PodSummary[] = [];
  for (let i = 0; i < COUNT; i += 1) {
    const app = `app-${String(i % 100).padStart(3, '0')}`;
    const pod: PodSummary = {
      name: `${app}-${String(i).padStart(5, '0')}`,
      namespace: `ns-${String(i % 30).padStart(2, '0')}`,
      phase: 'Running',
      readyContainers: 1,
      totalContainers: 1,
      restarts: i % 7,
      containers: ['web'],
      node: `node-${String(i % 300).padStart(3, '0')}`,
      ports: [80],
      created: new Date(START + i * 1000).toISOString(),
      labels: { app, tier: i % 2 === 0 ? 'front' : 'back', ...(i % 10 === 0 ? { canary: 'true' } : {}) },
    };
    if (i % 1000 === 500) pod.reason = 'CrashLoopBackOff';
    else if (i % 2500 === 1) pod.phase = 'Pending';
    else if (i % 3000 === 2) pod.readyContainers = 0;
    else if (i === 29_999) pod.phase = 'Terminating';
    pods.push(pod);
  }
  return pods;
}

const pods = syntheticPods();
const index = indexPods(pods);

function rows(sort: PodSort = defaultPodSort, filter: Partial<PodFilter> = {}): PodSummary[] {
  return [...filterPods(index, sortPods(index, sort), { ...emptyPodFilter, ...filter })].map((row) => index.pods[row]!);
}

function labels(text: string): LabelRequirement[] {
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.requirements;
}

describe('pod health', () => {
  it('calls failed, lost and crash-looping pods failing, and a completed or starting container not', () => {
    const base = pods[3]!;
    expect(podHealth({ ...base, phase: 'Failed', reason: 'Evicted' })).toBe('failing');
    expect(podHealth({ ...base, phase: 'Unknown' })).toBe('failing');
    expect(podHealth({ ...base, reason: 'ImagePullBackOff', phase: 'Pending' })).toBe('failing');
    expect(podHealth({ ...base, reason: 'ContainerCreating', phase: 'Pending' })).toBe('pending');
    expect(podHealth({ ...base, reason: 'Completed', phase: 'Succeeded' })).toBe('ok');
    expect(podHealth({ ...base, readyContainers: 0 })).toBe('not-ready');
    expect(podHealth({ ...base, notReady: true })).toBe('not-ready');
    expect(podHealth({ ...base, phase: 'Pending', reason: 'Unschedulable' })).toBe('failing');
    expect(podHealth({ ...base, phase: 'Terminating' })).toBe('terminating');
    expect(podHealth(base)).toBe('ok');
  });

  it('counts the problems of the whole list', () => {
    expect(index.problems).toEqual({ failing: 30, pending: 12, notReady: 10, total: 52 });
    expect(index.namespaces).toHaveLength(30);
    expect(index.namespaces[0]).toEqual({ name: 'ns-00', pods: 1000 });
  });
});

describe('sorting all 30,000 rows', () => {
  it('puts problems first by default: failing, then pending, then not ready, then the rest', () => {
    const sorted = rows();
    expect(sorted).toHaveLength(COUNT);
    const healths = sorted.map(podHealth);
    expect(healths.slice(0, 30).every((health) => health === 'failing')).toBe(true);
    expect(healths.slice(30, 42).every((health) => health === 'pending')).toBe(true);
    expect(healths.slice(42, 52).every((health) => health === 'not-ready')).toBe(true);
    expect(healths.at(52)).toBe('terminating');
    expect(healths.slice(53).every((health) => health === 'ok')).toBe(true);
    // Ties in (namespace, name) order.
    const failing = sorted.slice(0, 30).map((pod) => `${pod.namespace}/${pod.name}`);
    expect(failing).toEqual([...failing].sort());
  });

  it('sorts by restarts (most first on the first click), age, name, namespace and node over every row', () => {
    const byRestarts = rows(nextSort(defaultPodSort, 'restarts'));
    expect(byRestarts[0]!.restarts).toBe(6);
    expect(byRestarts.at(-1)!.restarts).toBe(0);
    expect(byRestarts.filter((pod) => pod.restarts === 6)).toHaveLength(byRestarts.findIndex((pod) => pod.restarts === 5));

    const youngest = rows({ key: 'age', direction: 'ascending' });
    expect(youngest[0]!.name).toBe('app-099-29999');
    expect(youngest.at(-1)!.name).toBe('app-000-00000');
    expect(rows({ key: 'age', direction: 'descending' })[0]!.name).toBe('app-000-00000');

    const byName = rows({ key: 'name', direction: 'ascending' });
    expect(byName.slice(0, 2).map((pod) => pod.name)).toEqual(['app-000-00000', 'app-000-00100']);
    expect(rows({ key: 'name', direction: 'descending' })[0]!.name).toBe('app-099-29999');

    const byNamespace = rows({ key: 'namespace', direction: 'descending' });
    expect(byNamespace[0]!.namespace).toBe('ns-29');
    expect(byNamespace.at(-1)).toMatchObject({ namespace: 'ns-00', name: 'app-000-00000' });

    const byNode = rows({ key: 'node', direction: 'ascending' });
    expect(byNode.slice(0, 100).every((pod) => pod.node === 'node-000')).toBe(true);
    expect(byNode[100]!.node).toBe('node-001');
  });

  it('turns a column around on a second click', () => {
    expect(nextSort({ key: 'age', direction: 'ascending' }, 'age')).toEqual({ key: 'age', direction: 'descending' });
    expect(nextSort({ key: 'age', direction: 'descending' }, 'name')).toEqual({ key: 'name', direction: 'ascending' });
  });
});

describe('filtering all 30,000 rows', () => {
  it('finds a name part in any case, keeping the sort order', () => {
    const found = rows({ key: 'age', direction: 'descending' }, { name: 'APP-042-' });
    expect(found).toHaveLength(300);
    expect(found.every((pod) => pod.name.startsWith('app-042-'))).toBe(true);
    expect(found[0]!.name).toBe('app-042-00042');
    expect(rows(defaultPodSort, { name: '-12345' }).map((pod) => pod.name)).toEqual(['app-045-12345']);
    expect(rows(defaultPodSort, { name: 'nothing-like-it' })).toEqual([]);
  });

  it('keeps one namespace, and nothing for a namespace the list does not hold', () => {
    const found = rows(defaultPodSort, { namespace: 'ns-07' });
    expect(found).toHaveLength(1000);
    expect(found.every((pod) => pod.namespace === 'ns-07')).toBe(true);
    expect(rows(defaultPodSort, { namespace: 'gone' })).toEqual([]);
  });

  it('matches label requirements: equals, not equals, exists, not exists, together', () => {
    expect(rows(defaultPodSort, { labels: labels('app=app-007') })).toHaveLength(300);
    // app-007 pods are odd: all tier=back.
    expect(rows(defaultPodSort, { labels: labels('app=app-007,tier=back') })).toHaveLength(300);
    expect(rows(defaultPodSort, { labels: labels('app=app-007,tier=front') })).toEqual([]);
    expect(rows(defaultPodSort, { labels: labels('canary') })).toHaveLength(3000);
    expect(rows(defaultPodSort, { labels: labels('!canary') })).toHaveLength(27_000);
    expect(rows(defaultPodSort, { labels: labels('tier!=front') })).toHaveLength(15_000);
    // A pod without the label matches key!=value, as in Kubernetes.
    expect(rows(defaultPodSort, { labels: labels('canary!=false') })).toHaveLength(COUNT);
    expect(rows(defaultPodSort, { labels: labels('constructor') })).toEqual([]);
  });

  it('shows only problems on request, problems first, and combines every filter', () => {
    const problems = rows(defaultPodSort, { problemsOnly: true });
    expect(problems).toHaveLength(52);
    expect(problems[0]!.reason).toBe('CrashLoopBackOff');
    // Failing pods are i = 1000k + 500; those in ns-20 have k % 3 === 0, all even (tier=front).
    const found = rows(defaultPodSort, { problemsOnly: true, namespace: 'ns-20', labels: labels('tier=front'), name: '-0' });
    expect(found.map((pod) => pod.name)).toEqual(
      [0, 3, 6, 9, 12, 15, 18, 21, 24, 27].map((k) => `app-000-${String(k * 1000 + 500).padStart(5, '0')}`),
    );
    expect(found.every((pod) => pod.reason === 'CrashLoopBackOff')).toBe(true);
  });

  it('lists nothing without rows', () => {
    const empty: PodIndex = indexPods([]);
    expect([...filterPods(empty, sortPods(empty, defaultPodSort), emptyPodFilter)]).toEqual([]);
    expect(empty.problems.total).toBe(0);
  });
});

describe('label filter syntax', () => {
  it('reads requirements joined by commas, spaces allowed around them', () => {
    expect(parseLabelSelector(' app = web , !canary, tier!=db, example.com/team ,,')).toEqual({
      ok: true,
      requirements: [
        { key: 'app', op: 'equals', value: 'web' },
        { key: 'canary', op: 'not-exists' },
        { key: 'tier', op: 'not-equals', value: 'db' },
        { key: 'example.com/team', op: 'exists' },
      ],
    });
    expect(parseLabelSelector('app==web')).toEqual({ ok: true, requirements: [{ key: 'app', op: 'equals', value: 'web' }] });
    expect(parseLabelSelector('')).toEqual({ ok: true, requirements: [] });
  });

  it('names the part it cannot read and how to write it', () => {
    expect(parseLabelSelector('app=web,two words')).toEqual({
      ok: false,
      error: '"two words" is not a label requirement: write key=value, key!=value, key or !key, joined by commas.',
    });
    expect(parseLabelSelector('!app=web')).toMatchObject({ ok: false });
    expect(parseLabelSelector('=web')).toMatchObject({ ok: false });
    expect(parseLabelSelector('app=we b')).toMatchObject({ ok: false });
    expect(parseLabelSelector('app=-web')).toMatchObject({ ok: false, error: expect.stringContaining('"-web"') });
  });
});
