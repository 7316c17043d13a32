import { describe, expect, it } from 'vitest';
import type { PodObject, TopologyObject } from '../../../shared/contract';
import { ClientModel } from './client-model';
import { buildGraph } from './group';
import type { IndexedGraph } from './graph-types';
import { namespaceBoxId, poolId } from './ids';
import { patchGraph } from './patch';
import { deploymentName, nodeName, podName, scaleCluster } from './scale-fixture.test-support';
import { BOX_BUDGET, noFolding, planFolding } from './simplify';

const group = (index: number) => `group:d-${deploymentName(index)}`;

describe('planFolding', () => {
  const counts = (total: number) => ({
    total,
    slices: 100,
    pools: 200,
    namespaces: new Map([
      ['a', { boxes: 50, slices: 10 }],
      ['b', { boxes: 300, slices: 100 }],
      ['c', { boxes: 30, slices: 10 }],
    ]),
  });

  it('folds nothing within the budget, then slices, node pools and the namespaces that save the most, only while over it', () => {
    expect(planFolding(counts(500), 500)).toEqual(noFolding);
    expect(planFolding(counts(550), 500)).toEqual({ slices: true, pools: false, namespaces: new Set() });
    expect(planFolding(counts(700), 500)).toEqual({ slices: true, pools: true, namespaces: new Set() });
    expect(planFolding(counts(900), 500)).toEqual({ slices: true, pools: true, namespaces: new Set(['b']) });
    expect(planFolding(counts(1_200), 500)).toEqual({ slices: true, pools: true, namespaces: new Set(['b', 'a', 'c']) });
  });

  it('once folded, stays folded down to 90% of the budget, so a cluster hovering at the budget keeps its layout', () => {
    expect(planFolding(counts(499), 500, true)).toEqual({ slices: true, pools: false, namespaces: new Set() });
    expect(planFolding(counts(450), 500, true)).toEqual(noFolding);
    expect(planFolding(counts(499), 500, false)).toEqual(noFolding);
  });
});

// Building 30,000 pods' graphs takes seconds on a loaded 2-core machine: not a timing test.
const slow = { timeout: 60_000 };

describe('the map of 30,000 pods on 300 nodes, folded to the box budget', slow, () => {
  const cluster = scaleCluster({ notReady: ['worker-17', nodeName(295)], failing: [podName(3, 7)] });

  it('stays within the budget with a few hundred edges, and draws NotReady nodes and workloads with failing pods apart', () => {
    const graph = buildGraph(cluster);
    expect(graph.nodes.length).toBeLessThanOrEqual(BOX_BUDGET);
    // Unfolded: 30,000 node -> workload edges.
    expect(graph.edges.length).toBeLessThan(1_500);
    expect(graph.nodes.filter((node) => node.type === 'node' && node.status?.tone === 'error').map((node) => node.label)).toEqual([
      'worker-17',
      nodeName(295),
    ]);
    expect(graph.index.folded.has(group(3))).toBe(false);
    expect(graph.nodes.find((node) => node.id === `pod:p-${podName(3, 7)}`)).toMatchObject({ parent: group(3) });
  });

  it('keeps the problems drawn however far it folds; their edges go to the box their Service is folded into', () => {
    const graph = buildGraph(cluster, { budget: 50 });
    expect(graph.nodes.filter((node) => node.type === 'namespace')).toHaveLength(30);
    expect(graph.nodes.filter((node) => node.type === 'group').map((node) => node.id)).toEqual([group(3)]);
    expect(graph.nodes.filter((node) => node.type === 'node').map((node) => node.label)).toEqual(['cp-0', 'worker-17', nodeName(295)]);
    expect(graph.edges.map((edge) => edge.id)).toContain(`endpoints:${group(3)}->${namespaceBoxId('team-0')}`);
    expect(graph.nodes.find((node) => node.id === namespaceBoxId('team-0'))).toMatchObject({
      detail: '9 workloads · 10 Services · 900 pods',
      status: { tone: 'ok', text: '900/900 ready' },
    });
  });

  it('pools healthy nodes per lab host, OS and role, and a Service says how many endpoints are ready', () => {
    const graph = buildGraph(cluster);
    const pools = graph.nodes.filter((node) => node.type === 'pool');
    expect(pools.map((node) => node.label).sort()).toEqual([
      'Linux workers on lab-0',
      'Linux workers on lab-1',
      'Linux workers on lab-2',
      'Windows workers',
    ]);
    expect(pools.reduce((sum, node) => sum + Number.parseInt(node.detail!, 10), 0)).toBe(300 - 3);
    expect(graph.index.folded.get('node:worker-1')).toBe(poolId('lab-1/linux-worker'));
    expect(graph.index.folded.get('vm:lab-1-worker-1')).toBe(poolId('lab-1/linux-worker'));
    expect(graph.nodes.find((node) => node.id === 'svc:team-0/app-0')?.status).toEqual({ tone: 'ok', text: '100/100 endpoints ready' });
    expect(graph.nodes.some((node) => node.type === 'slice')).toBe(false);
  });

  it('opens any pool, namespace or workload the user expands, and keeps the box to fold it again', () => {
    const folded = buildGraph(cluster);
    const namespace = folded.nodes.find((node) => node.type === 'namespace')!;
    const pool = poolId('lab-1/linux-worker');
    const graph = buildGraph(cluster, { toggled: new Set([pool, namespace.id, group(150)]) });
    expect(graph.nodes.find((node) => node.id === pool)).toMatchObject({ type: 'pool', expanded: true });
    expect(graph.nodes.filter((node) => node.type === 'node')).toHaveLength(3 + 90);
    expect(graph.nodes.find((node) => node.id === namespace.id)).toMatchObject({ type: 'namespace', expanded: true });
    const workloads = graph.nodes.filter((node) => node.type === 'group' && node.namespace === namespace.label);
    expect(workloads).toHaveLength(10);
    expect(graph.nodes.find((node) => node.id === group(150))).toMatchObject({ expanded: true, pods: { shown: 100 } });
  });

  it('keeps what the search matched', () => {
    const graph = buildGraph(cluster, { budget: 50, matches: new Set(['d-app-150', 'n-worker-40']) });
    expect(graph.nodes.find((node) => node.id === group(150))?.match).toBe(true);
    expect(graph.nodes.find((node) => node.id === 'node:worker-40')?.match).toBe(true);
  });
});

describe('patchGraph on a folded map', slow, () => {
  const options = { filter: { namespaces: [], search: '' }, collapseAbove: 8, toggled: new Set<string>() };

  function start(objects: TopologyObject[], budget?: number) {
    const model = new ClientModel('lab');
    model.load(objects, 1);
    model.takeChanges();
    let graph: IndexedGraph = buildGraph([...model.objects.values()], { budget });
    const full = () => buildGraph([...model.objects.values()], { budget });
    const apply = (upserts: TopologyObject[], deletes: string[] = []) => {
      model.apply({ context: 'lab', revision: model.revision + 1, upserts, deletes });
      const patch = patchGraph(graph, model.takeChanges().changes, (uid) => model.objects.get(uid), options);
      graph = patch?.graph ?? full();
      return patch;
    };
    return { model, apply, full, graph: () => graph };
  }

  it('at 30,000 pods, a pod of a folded workload changes only its namespace box', () => {
    const cluster = start(scaleCluster());
    const namespace = cluster.graph().index.folded.get(group(12))!;
    expect(namespace).toBe(namespaceBoxId('team-1'));
    const pod = cluster.model.objects.get(`p-${podName(12, 4)}`) as PodObject;
    const patch = cluster.apply([{ ...pod, ready: false }]);
    expect([...patch!.changed]).toEqual([namespace]);
    expect(patch!.graph.nodes.find((node) => node.id === namespace)?.status).toEqual({ tone: 'warning', text: '999/1000 ready' });
    expect(patch!.graph).toEqual(cluster.full());
    // A new pod on another node of the same pool adds no edge: still in place.
    const moved = cluster.apply([{ ...pod, uid: 'p-new', name: 'app-12-new', nodeName: 'worker-6' }]);
    expect(moved).toBeDefined();
    expect(moved!.graph).toEqual(cluster.full());
  });

  it('refuses a node whose health moves it out of its pool, and a pod that starts failing', () => {
    const cluster = start(scaleCluster());
    const node = cluster.model.objects.get('n-worker-4')!;
    expect(cluster.apply([{ ...node, ready: 'False' } as TopologyObject])).toBeUndefined();
    expect(cluster.graph().nodes.find((entry) => entry.id === 'node:worker-4')?.status?.text).toBe('NotReady');
    const pod = cluster.model.objects.get(`p-${podName(12, 4)}`) as PodObject;
    expect(cluster.apply([{ ...pod, ready: false, reason: 'ImagePullBackOff' }])).toBeUndefined();
    expect(cluster.graph().index.folded.has(group(12))).toBe(false);
  });

  it('gives the same graph as a full pass over random batches of changes to a folded map', () => {
    let seed = 11;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const cluster = start(scaleCluster({ nodes: 40, windowsNodes: 6, deployments: 40, replicas: 12 }), 40);
    expect(cluster.graph().nodes.some((node) => node.type === 'namespace')).toBe(true);
    let patched = 0;
    let refused = 0;
    for (let batch = 0; batch < 150; batch += 1) {
      const objects = [...cluster.model.objects.values()];
      const pods = objects.filter((object): object is PodObject => object.kind === 'Pod');
      const upserts: TopologyObject[] = [];
      const deletes: string[] = [];
      for (let change = 0; change < 1 + Math.floor(next() * 3); change += 1) {
        const roll = next();
        const pod = pick(pods);
        if (roll < 0.4) upserts.push({ ...pod, ready: next() < 0.7, reason: next() < 0.03 ? 'CrashLoopBackOff' : undefined });
        else if (roll < 0.6)
          upserts.push({
            ...pod,
            uid: `p-x${batch}-${change}`,
            name: `x${batch}-${change}`,
            nodeName: nodeName(1 + Math.floor(next() * 39)),
          });
        else if (roll < 0.75 && pods.length > 100) deletes.push(pod.uid);
        else if (roll < 0.85) {
          const slice = pick(objects.filter((object) => object.kind === 'EndpointSlice'));
          if (slice.kind === 'EndpointSlice') upserts.push({ ...slice, readyCount: Math.floor(next() * slice.endpointCount) });
        } else if (roll < 0.95) {
          const service = pick(objects.filter((object) => object.kind === 'Service'));
          if (service.kind === 'Service') upserts.push({ ...service, ports: [`${1000 + batch}/TCP`] });
        } else {
          const node = pick(objects.filter((object) => object.kind === 'Node'));
          if (node.kind === 'Node') upserts.push({ ...node, ready: next() < 0.8 ? 'True' : 'False' });
        }
      }
      const patch = cluster.apply(upserts, deletes);
      if (patch) {
        const full = cluster.full();
        expect(patch.graph.nodes, `batch ${batch}`).toEqual(full.nodes);
        expect(patch.graph.edges, `batch ${batch}`).toEqual(full.edges);
        expect(patch.graph.index, `batch ${batch}`).toEqual(full.index);
        patched += 1;
      } else refused += 1;
    }
    expect(patched).toBeGreaterThan(refused);
    expect(refused).toBeGreaterThan(0);
  });
});
