import { describe, expect, it } from 'vitest';
import type { PodObject, TopologyObject } from '../../../shared/contract';
import { ClientModel } from './client-model';
import { filterObjects, type TopologyFilter } from './filter';
import { deployment, endpointSlice as slice, node, pod, podsOf, service } from './fixtures.test-support';
import { buildGraph, DEFAULT_COLLAPSE_ABOVE } from './group';
import { patchGraph } from './patch';

function cluster(): TopologyObject[] {
  const web = podsOf('web', 30, ['a', 'b']);
  return [
    node('a'),
    node('b'),
    node('c'),
    ...deployment('web', 30),
    ...web,
    ...deployment('small', 3),
    ...podsOf('small', 3, ['c']),
    ...deployment('other', 12, 'data'),
    ...podsOf('other', 12, ['a']).map((entry) => ({ ...entry, namespace: 'data' })),
    pod('lonely', undefined, 'c'),
    service('web'),
    slice(
      'web',
      web.map((entry) => entry.uid),
    ),
  ];
}

/** A model at revision 1 holding `objects`, with its journal taken (as after a full pass). */
function modelOf(objects: TopologyObject[]): ClientModel {
  const model = new ClientModel('lab');
  model.load(objects, 1);
  model.takeChanges();
  return model;
}

function fullGraph(model: ClientModel, filter: TopologyFilter, toggled: ReadonlySet<string> = new Set()) {
  const { objects, matches } = filterObjects(model.objects.values(), filter);
  return buildGraph(objects, { matches, toggled });
}

const allNamespaces: TopologyFilter = { namespaces: [], search: '' };
const options = (filter = allNamespaces, toggled: ReadonlySet<string> = new Set()) => ({
  filter,
  collapseAbove: DEFAULT_COLLAPSE_ABOVE,
  toggled,
});

/** Applies `upserts` / `deletes` as one delta and patches the graph built before it. */
function patchAfter(model: ClientModel, upserts: TopologyObject[], deletes: string[] = [], filter = allNamespaces) {
  const before = fullGraph(model, filter);
  model.apply({ context: 'lab', revision: model.revision + 1, upserts, deletes });
  const { changes } = model.takeChanges();
  return { before, patch: patchGraph(before, changes, (uid) => model.objects.get(uid), options(filter)) };
}

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('patchGraph', () => {
  it('updates a collapsed group in place when one of its pods joins or goes, and nothing else changes', () => {
    const model = modelOf(cluster());
    const joined = patchAfter(model, [pod('web-new', 'web', 'a')]);
    expect(joined.patch).toBeDefined();
    expect([...joined.patch!.changed]).toEqual(['group:d-web']);
    expect(joined.patch!.graph.edges).toBe(joined.before.edges);
    expect(joined.patch!.graph.nodes.find((entry) => entry.id === 'node:a')).toBe(
      joined.before.nodes.find((entry) => entry.id === 'node:a'),
    );
    expect(joined.patch!.graph.nodes.find((entry) => entry.id === 'group:d-web')).toMatchObject({
      pods: { total: 31, ready: 31, failing: 0, shown: 0 },
      detail: 'Deployment · 31 pods',
    });
    expect(joined.patch!.podDelta).toBe(1);

    const gone = patchAfter(model, [], ['p-web-new']);
    expect(gone.patch!.podDelta).toBe(-1);
    expect(gone.patch!.graph).toEqual(fullGraph(model, allNamespaces));
  });

  it('updates a pod drawn inside an expanded group in place, and refuses one joining it', () => {
    const model = modelOf(cluster());
    const { patch } = patchAfter(model, [pod('small-1', 'small', 'c', { ready: false, phase: 'Pending' })]);
    expect(patch).toBeDefined();
    expect([...patch!.changed].sort()).toEqual(['group:d-small', 'pod:p-small-1']);
    expect(patch!.graph).toEqual(fullGraph(model, allNamespaces));
    expect(patchAfter(model, [pod('small-9', 'small', 'c')]).patch).toBeUndefined();
  });

  it('refuses a pod that starts, goes on or stops failing: a collapsed group draws its failing pods', () => {
    const model = modelOf(cluster());
    const failing = patchAfter(model, [pod('web-3', 'web', 'b', { ready: false, reason: 'CrashLoopBackOff' })]);
    expect(failing.patch).toBeUndefined();
    const graph = fullGraph(model, allNamespaces);
    expect(graph.nodes.find((entry) => entry.id === 'group:d-web')).toMatchObject({
      expanded: false,
      pods: { total: 30, failing: 1, shown: 1 },
      status: { tone: 'error', text: '29/30 ready, 1 failing' },
    });
    expect(graph.nodes.find((entry) => entry.id === 'pod:p-web-3')).toMatchObject({
      parent: 'group:d-web',
      status: { text: 'CrashLoopBackOff' },
    });
    expect(patchAfter(model, [pod('web-3', 'web', 'b', { ready: false, reason: 'CrashLoopBackOff', restarts: 2 })]).patch).toBeUndefined();
    expect(patchAfter(model, [pod('web-3', 'web', 'b')]).patch).toBeUndefined();
    expect(fullGraph(model, allNamespaces).nodes.filter((entry) => entry.parent === 'group:d-web')).toHaveLength(0);
  });

  it('changes only the box of a Service whose ports changed, or of a slice whose ready count changed', () => {
    const model = modelOf(cluster());
    const ports = patchAfter(model, [service('web', ['8080/TCP'])]);
    expect([...ports.patch!.changed]).toEqual(['svc:default/web']);
    expect(ports.patch!.graph.nodes.find((entry) => entry.id === 'svc:default/web')?.detail).toBe('ClusterIP · 8080/TCP');
    const web = [...model.objects.values()].filter((object) => object.kind === 'Pod' && object.name.startsWith('web-'));
    const ready = patchAfter(model, [
      slice(
        'web',
        web.map((entry) => entry.uid),
        29,
      ),
    ]);
    expect([...ready.patch!.changed]).toEqual(['slice:es-web']);
    expect(ready.patch!.graph).toEqual(fullGraph(model, allNamespaces));
  });

  it('refuses changes that add or remove a box or an edge, or change what a group draws', () => {
    const cases: [string, TopologyObject[], string[]][] = [
      ['a pod on a node the group did not use (a new edge)', [pod('web-c', 'web', 'c')], []],
      ['a new Deployment (a new box)', deployment('new', 1), []],
      ['a pod joining an expanded group (drawn inside it)', [pod('small-9', 'small', 'c')], []],
      ['a lone pod (a box of its own)', [pod('lonely', undefined, 'a')], []],
      ['a node that goes', [], ['n-c']],
      ['a node that joins a lab host', [node('c', { host: 'lab-1' })], []],
      ['a Service that goes', [], ['s-web']],
    ];
    for (const [what, upserts, deletes] of cases) {
      const { patch } = patchAfter(modelOf(cluster()), upserts, deletes);
      expect(patch, what).toBeUndefined();
    }
    // A group growing past the collapse limit turns from pods drawn inside into a count.
    const model = modelOf([node('a'), ...deployment('few', 8), ...podsOf('few', 8, ['a'])]);
    expect(patchAfter(model, [pod('few-8', 'few', 'a')]).patch).toBeUndefined();
    // A search matches names: the full pass decides what stays.
    const searched = modelOf(cluster());
    const before = fullGraph(searched, { namespaces: [], search: 'web' });
    searched.apply({ context: 'lab', revision: 2, upserts: [service('web', ['81/TCP'])], deletes: [] });
    const { changes } = searched.takeChanges();
    expect(patchGraph(before, changes, (uid) => searched.objects.get(uid), options({ namespaces: [], search: 'web' }))).toBeUndefined();
  });

  it('ignores objects of namespaces the filter hides', () => {
    const filter: TopologyFilter = { namespaces: ['default'], search: '' };
    const model = modelOf(cluster());
    const hidden = { ...pod('other-new', 'other', 'b'), namespace: 'data' };
    const { patch } = patchAfter(model, [hidden], [], filter);
    expect(patch?.changed.size).toBe(0);
    expect(patch?.podDelta).toBe(0);
    expect(patch!.graph).toEqual(fullGraph(model, filter));
  });

  it('gives the same graph as a full pass over random batches of pod, Service, slice, node and Deployment changes', () => {
    const next = random(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const model = modelOf(cluster());
    let graph = fullGraph(model, allNamespaces);
    let patched = 0;
    let refused = 0;
    for (let batch = 0; batch < 300; batch += 1) {
      const upserts: TopologyObject[] = [];
      const deletes: string[] = [];
      for (let change = 0; change < 1 + Math.floor(next() * 4); change += 1) {
        const objects = [...model.objects.values()];
        const pods = objects.filter((object): object is PodObject => object.kind === 'Pod' && object.owner?.uid === 'rs-web');
        const owned = objects.filter((object): object is PodObject => object.kind === 'Pod' && object.owner !== undefined);
        const roll = next();
        // Failing pods are drawn and refuse the patch: rare, as on a real cluster.
        if (roll < 0.3) upserts.push({ ...pick(owned), ready: next() < 0.7, reason: next() < 0.02 ? 'CrashLoopBackOff' : undefined });
        else if (roll < 0.42) upserts.push(pod(`web-x${batch}-${change}`, 'web', pick(['a', 'b', 'c'])));
        else if (roll < 0.45) upserts.push(pod(`small-x${batch}-${change}`, 'small', 'c'));
        else if (roll < 0.6 && pods.length > 3) deletes.push(pick(pods).uid);
        else if (roll < 0.7) upserts.push(service('web', [`${1000 + batch}/TCP`]));
        else if (roll < 0.8)
          upserts.push(
            slice(
              'web',
              pods.slice(0, 1 + Math.floor(next() * pods.length)).map((entry) => entry.uid),
            ),
          );
        else if (roll < 0.9) upserts.push(node(pick(['a', 'b']), { ready: next() < 0.5 ? 'True' : 'False' }));
        else upserts.push({ ...deployment('web', 25 + Math.floor(next() * 10))[0]! });
      }
      model.apply({ context: 'lab', revision: model.revision + 1, upserts, deletes });
      const { changes } = model.takeChanges();
      const patch = patchGraph(graph, changes, (uid) => model.objects.get(uid), options());
      const full = fullGraph(model, allNamespaces);
      if (patch) {
        expect(patch.graph.nodes, `batch ${batch}`).toEqual(full.nodes);
        expect(patch.graph.edges, `batch ${batch}`).toEqual(full.edges);
        expect(patch.graph.index.groups, `batch ${batch}`).toEqual(full.index.groups);
        graph = patch.graph;
        patched += 1;
      } else {
        graph = full;
        refused += 1;
      }
    }
    // Both paths were taken, and mostly the in-place one.
    expect(patched).toBeGreaterThan(refused);
    expect(refused).toBeGreaterThan(0);
  });
});
