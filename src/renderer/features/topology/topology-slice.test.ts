/**
 * The topology slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted topology service standing in for the main process and a one-column layout engine.
 */
import { describe, expect, it } from 'vitest';
import type { TopologyDelta, TopologyObject, TopologyObjectRef, TopologySnapshotPage, TopologyStatus } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';
import { deployment, node, podsOf } from './fixtures.test-support';
import type { ElkGraph, LayoutEngine } from './layout';

const status = (context: string): TopologyStatus => ({ context, state: 'ready', kinds: [] });

/** Boxes in one column; the layout answers on the next microtask. */
const columnEngine = (): LayoutEngine => ({
  layout: (graph: ElkGraph) =>
    Promise.resolve({ ...graph, children: graph.children.map((child, index) => ({ ...child, x: 0, y: index * 100 })) }),
});

function fakeTopology(objects: TopologyObject[]) {
  const deltas = new Emitter<TopologyDelta>();
  const statuses = new Emitter<TopologyStatus>();
  const calls: string[] = [];
  const eventRefs: TopologyObjectRef[] = [];
  let watchError: AppError | undefined;
  /** Runs while the snapshot is being read: deltas sent then must not be lost. */
  let duringSnapshot: () => void = () => undefined;
  const { store } = storeOver(
    (services) => ({
      topology: {
        ...services.topology,
        watch: (context) => {
          calls.push(`watch ${context}`);
          return watchError ? Promise.reject(watchError) : Promise.resolve({ ...status(context), state: 'starting' });
        },
        unwatch: (context) => {
          calls.push(`unwatch ${context}`);
          return Promise.resolve();
        },
        // Two pages: the first half, then the rest with the revision deltas continue from.
        snapshot: (context, cursor): Promise<TopologySnapshotPage> => {
          calls.push(`snapshot ${context} ${cursor ?? 'first'}`);
          const half = Math.ceil(objects.length / 2);
          if (cursor === undefined) {
            duringSnapshot();
            return Promise.resolve({
              context,
              snapshotId: 'x',
              revision: 5,
              objects: objects.slice(0, half),
              nextCursor: 'x:1',
              status: status(context),
            });
          }
          return Promise.resolve({ context, snapshotId: 'x', revision: 5, objects: objects.slice(half), status: status(context) });
        },
        recentEvents: (_context, ref) => {
          eventRefs.push(ref);
          return Promise.resolve([{ type: 'Normal', reason: 'ScalingReplicaSet', message: 'Scaled up', count: 1 }]);
        },
        onDidChange: deltas.event,
        onDidChangeStatus: statuses.event,
      },
    }),
    { topology: { createLayoutEngine: columnEngine, scheduleFrame: (callback) => callback() } },
  );
  return {
    store,
    deltas,
    statuses,
    calls,
    eventRefs,
    failWatch: (error: AppError) => (watchError = error),
    setDuringSnapshot: (hook: () => void) => (duringSnapshot = hook),
  };
}

const cluster = () => [node('a'), node('b'), ...deployment('web', 4), ...podsOf('web', 4, ['a', 'b'])];
const groupPods = (store: ReturnType<typeof fakeTopology>['store']) =>
  store.getState().topology.output.view.nodes.find((entry) => entry.id === 'group:d-web')?.data.pods;

describe('topology slice', () => {
  it('reads every page of the snapshot, goes live, and applies the deltas sent meanwhile and after', async () => {
    const fake = fakeTopology(cluster());
    fake.setDuringSnapshot(() => fake.deltas.fire({ context: 'lab', revision: 6, upserts: podsOf('web', 5, ['a']).slice(4), deletes: [] }));
    await fake.store.getState().openTopology('lab');
    expect(fake.calls).toEqual(['watch lab', 'snapshot lab first', 'snapshot lab x:1']);
    expect(fake.store.getState().topology).toMatchObject({ context: 'lab', phase: 'live', status: { state: 'ready' } });
    await expect.poll(() => groupPods(fake.store)?.total).toBe(5);

    fake.deltas.fire({ context: 'lab', revision: 7, upserts: [], deletes: ['p-web-0'] });
    fake.deltas.fire({ context: 'other', revision: 8, upserts: [], deletes: ['p-web-1'] });
    await expect.poll(() => groupPods(fake.store)?.total).toBe(4);
    expect(fake.store.getState().topology.output.counts.nodes).toBe(2);
  });

  it('reloads from a snapshot when a delta was lost (a revision gap)', async () => {
    const fake = fakeTopology(cluster());
    await fake.store.getState().openTopology('lab');
    fake.calls.length = 0;
    fake.deltas.fire({ context: 'lab', revision: 9, upserts: [], deletes: [] });
    await expect.poll(() => fake.calls).toEqual(['watch lab', 'snapshot lab first', 'snapshot lab x:1']);
  });

  it('follows status events of its own context only', async () => {
    const fake = fakeTopology(cluster());
    await fake.store.getState().openTopology('lab');
    const degraded: TopologyStatus = { ...status('lab'), state: 'degraded' };
    fake.statuses.fire({ ...status('other'), state: 'stopped' });
    expect(fake.store.getState().topology.status?.state).toBe('ready');
    fake.statuses.fire(degraded);
    expect(fake.store.getState().topology.status).toEqual(degraded);
  });

  it("shows the API server's refusal with its code and diagnosis", async () => {
    const fake = fakeTopology([]);
    fake.failWatch(new AppError('TLS_CERT_EXPIRED', 'The certificate expired.', { fix: 'Renew it.' }));
    await fake.store.getState().openTopology('lab');
    expect(fake.store.getState().topology).toMatchObject({
      phase: 'failed',
      error: { code: 'TLS_CERT_EXPIRED', details: { fix: 'Renew it.' } },
    });
  });

  it("loads the selected object's recent events, and stops watching when another context opens or it closes", async () => {
    const fake = fakeTopology(cluster());
    await fake.store.getState().openTopology('lab');
    await expect.poll(() => groupPods(fake.store)).toBeDefined();
    const group = fake.store.getState().topology.output.view.nodes.find((entry) => entry.id === 'group:d-web')!.data;
    await fake.store.getState().selectTopologyNode(group);
    expect(fake.eventRefs).toEqual([{ kind: 'Deployment', name: 'web', namespace: 'default' }]);
    expect(fake.store.getState().topology.details?.events).toMatchObject({ state: 'loaded', events: [{ reason: 'ScalingReplicaSet' }] });

    await fake.store.getState().openTopology('other');
    expect(fake.calls).toContain('unwatch lab');
    expect(fake.store.getState().topology.details).toBeUndefined();
    await fake.store.getState().closeTopology();
    expect(fake.calls.at(-1)).toBe('unwatch other');
    expect(fake.store.getState().topology).toMatchObject({ context: undefined, phase: 'idle' });
  });

  it('keeps the details panel on its box as the box opens and folds', async () => {
    const fake = fakeTopology([node('a'), ...deployment('web', 12), ...podsOf('web', 12, ['a'])]);
    await fake.store.getState().openTopology('lab');
    await expect.poll(() => groupPods(fake.store)).toBeDefined();
    const group = fake.store.getState().topology.output.view.nodes.find((entry) => entry.id === 'group:d-web')!.data;
    await fake.store.getState().selectTopologyNode(group);
    expect(fake.store.getState().topology.details?.node.expanded).toBe(false);
    fake.store.getState().toggleTopologyGroup('group:d-web');
    expect(fake.store.getState().topology.details?.node).toMatchObject({ expanded: true, pods: { shown: 12 } });
    fake.store.getState().toggleTopologyGroup('group:d-web');
    expect(fake.store.getState().topology.details?.node.expanded).toBe(false);
  });
});
