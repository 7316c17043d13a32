import { describe, expect, it } from 'vitest';
import { ClientModel } from './client-model';
import { deployment, node, pod, podsOf } from './fixtures.test-support';
import { namespaceBoxId, poolId } from './ids';
import { podName, scaleCluster } from './scale-fixture.test-support';
import { BOX_BUDGET } from './simplify';
import type { ElkGraph, LayoutEngine } from './layout';
import { TopologyPipeline, type PipelineOutput } from './pipeline';

/** Lays boxes out in one column, synchronously resolved on the next microtask. */
function columnEngine(): LayoutEngine & { runs: number } {
  const engine = {
    runs: 0,
    layout: (graph: ElkGraph) => {
      engine.runs += 1;
      return Promise.resolve({ ...graph, children: graph.children.map((child, index) => ({ ...child, x: 0, y: index * 100 })) });
    },
  };
  return engine;
}

describe('TopologyPipeline', () => {
  it('lays out once for a snapshot and not again for pod churn inside a collapsed group', async () => {
    const engine = columnEngine();
    let output: PipelineOutput | undefined;
    const pipeline = new TopologyPipeline(
      () => engine,
      (next) => (output = next),
    );
    const model = new ClientModel('lab');
    model.load([node('a'), node('b'), ...deployment('web', 300), ...podsOf('web', 300, ['a', 'b'])], 1);
    pipeline.setModel(model);
    await Promise.resolve();
    await Promise.resolve();
    expect(engine.runs).toBe(1);
    for (let revision = 2; revision < 12; revision += 1) {
      model.apply({ context: 'lab', revision, upserts: [pod(`web-new-${revision}`, 'web', 'a')], deletes: [] });
      pipeline.update();
    }
    await Promise.resolve();
    expect(engine.runs).toBe(1);
    expect(output?.view.nodes.find((entry) => entry.id === 'group:d-web')?.data.pods?.total).toBe(310);
    expect(output?.counts).toEqual({ nodes: 2, pods: 310, shownPods: 0 });
  });

  it('expanding a group lays out again and draws its pods', async () => {
    const engine = columnEngine();
    let output: PipelineOutput | undefined;
    const pipeline = new TopologyPipeline(
      () => engine,
      (next) => (output = next),
    );
    const model = new ClientModel('lab');
    model.load([node('a'), ...deployment('web', 12), ...podsOf('web', 12, ['a'])], 1);
    pipeline.setModel(model);
    await Promise.resolve();
    pipeline.toggle('group:d-web');
    await Promise.resolve();
    await Promise.resolve();
    expect(engine.runs).toBe(2);
    expect(output?.view.nodes.filter((entry) => entry.parentId === 'group:d-web')).toHaveLength(12);
  });
});

/** An engine whose runs the test finishes by hand. */
function manualEngine() {
  const runs: { graph: ElkGraph; finish: (positions?: { x: number; y: number }) => void }[] = [];
  const engine: LayoutEngine = {
    layout: (graph) =>
      new Promise((resolve) => {
        runs.push({
          graph,
          finish: (at = { x: 0, y: 0 }) =>
            resolve({ ...graph, children: graph.children.map((child, index) => ({ ...child, x: at.x, y: at.y + index * 100 })) }),
        });
      }),
  };
  return { engine, runs };
}

function start(objects: Parameters<ClientModel['load']>[0], engine: LayoutEngine) {
  const outputs: PipelineOutput[] = [];
  const pipeline = new TopologyPipeline(
    () => engine,
    (next) => outputs.push(next),
  );
  const model = new ClientModel('lab');
  model.load(objects, 1);
  pipeline.setModel(model);
  return { pipeline, model, outputs, last: () => outputs[outputs.length - 1]! };
}

describe('TopologyPipeline placement', () => {
  const cluster = () => [node('a'), node('b'), ...deployment('web', 300), ...podsOf('web', 300, ['a', 'b'])];

  it('draws a snapshot at once with the quick layout, then ELK refines the same boxes without asking for a new fit', async () => {
    const { engine, runs } = manualEngine();
    const { last } = start(cluster(), engine);
    expect(last()).toMatchObject({ placement: 'quick', layoutRuns: 0, layingOut: true, fitGeneration: 1, refinements: 0 });
    expect(last().view.provisional).toBe(0);
    expect(last().view.nodes.map((entry) => entry.position.x)).toEqual([0, 0, 310]);
    expect(runs).toHaveLength(1);
    // ELK gets at most three edges into a box; the quick layout used them all.
    expect(runs[0]!.graph.edges).toHaveLength(2);
    runs[0]!.finish({ x: 5, y: 5 });
    await Promise.resolve();
    expect(last()).toMatchObject({ placement: 'elk', layoutRuns: 1, layingOut: false, fitGeneration: 1, refinements: 1 });
    expect(last().view.nodes[0]!.position).toEqual({ x: 5, y: 5 });
  });

  it('keeps the quick places once the user works with the map, and lays out again when the skeleton changes', async () => {
    const { engine, runs } = manualEngine();
    const { pipeline, model, last } = start(cluster(), engine);
    const placed = last().view.nodes.map((entry) => entry.position);
    pipeline.keepPlaces();
    runs[0]!.finish({ x: 5, y: 5 });
    await Promise.resolve();
    expect(last()).toMatchObject({ placement: 'quick', layoutRuns: 1, layingOut: false, fitGeneration: 1, refinements: 0 });
    expect(last().view.nodes.map((entry) => entry.position)).toEqual(placed);
    expect(runs).toHaveLength(1);

    // A new box is a new skeleton: ELK places it and the rest.
    model.apply({ context: 'lab', revision: 2, upserts: [node('c')], deletes: [] });
    pipeline.update();
    expect(runs).toHaveLength(2);
    runs[1]!.finish({ x: 7, y: 7 });
    await Promise.resolve();
    expect(last()).toMatchObject({ placement: 'elk', layoutRuns: 2, fitGeneration: 2 });
    expect(last().view.nodes[0]!.position).toEqual({ x: 7, y: 7 });
  });

  it('keepPlaces changes nothing once ELK has placed the boxes', async () => {
    const { engine, runs } = manualEngine();
    const { pipeline, model, last } = start(cluster(), engine);
    runs[0]!.finish({ x: 5, y: 5 });
    await Promise.resolve();
    pipeline.keepPlaces();
    model.apply({ context: 'lab', revision: 2, upserts: [node('c')], deletes: [] });
    pipeline.update();
    runs[1]!.finish({ x: 7, y: 7 });
    await Promise.resolve();
    expect(last()).toMatchObject({ placement: 'elk', layoutRuns: 2 });
    expect(last().view.nodes[0]!.position).toEqual({ x: 7, y: 7 });
  });

  it('runs no layout for an empty cluster', () => {
    const { engine, runs } = manualEngine();
    const { last } = start([], engine);
    expect(runs).toHaveLength(0);
    expect(last()).toMatchObject({ placement: 'none', layingOut: false });
  });

  it('drops a layout run made for the previous context', async () => {
    const { engine, runs } = manualEngine();
    const { pipeline, last } = start(cluster(), engine);
    const next = new ClientModel('other');
    next.load([node('x'), node('y')], 1);
    pipeline.setModel(next);
    const placed = last().view.nodes.map((entry) => entry.position);
    runs[0]!.finish({ x: 999, y: 999 });
    await Promise.resolve();
    expect(last().view.nodes.map((entry) => entry.position)).toEqual(placed);
    expect(last().layoutRuns).toBe(0);
    // The current context gets its own run.
    expect(runs).toHaveLength(2);
    expect(runs[1]!.graph.children.map((child) => child.id)).toEqual(['node:x', 'node:y']);
  });

  it('applies pod churn in place: only the group box changes, and the view equals a full pass over the same objects', () => {
    const { engine } = manualEngine();
    const { pipeline, model, last } = start(cluster(), engine);
    const before = last().view;
    model.apply({ context: 'lab', revision: 2, upserts: [pod('web-0', 'web', 'a', { ready: false })], deletes: ['p-web-1'] });
    pipeline.update();
    const after = last();
    expect(after.view.nodes.filter((entry, index) => entry !== before.nodes[index]).map((entry) => entry.id)).toEqual(['group:d-web']);
    expect(after.view.paths).toBe(before.paths);
    expect(after.counts).toEqual({ nodes: 2, pods: 299, shownPods: 0 });
    const fresh = start([...model.objects.values()], manualEngine().engine).last();
    expect(after.view).toEqual(fresh.view);
    expect(after.counts).toEqual(fresh.counts);
  });
});

describe('TopologyPipeline at 30,000 pods', { timeout: 60_000 }, () => {
  it('draws the folded map, patches a pod change into its namespace box, and opens a pool on request', () => {
    const { engine, runs } = manualEngine();
    const { pipeline, model, last } = start(scaleCluster({ notReady: ['worker-9'] }), engine);
    expect(last().counts).toEqual({ nodes: 300, pods: 30_000, shownPods: 0 });
    expect(last().view.nodes.length).toBeLessThanOrEqual(BOX_BUDGET);
    expect(last().placement).toBe('quick');
    const before = last().view;
    const pod = model.objects.get(`p-${podName(150, 0)}`)!;
    model.apply({ context: 'lab', revision: 2, upserts: [{ ...pod, ready: false } as typeof pod], deletes: [] });
    pipeline.update();
    const changed = last()
      .view.nodes.filter((entry, index) => entry !== before.nodes[index])
      .map((entry) => entry.id);
    expect(changed).toEqual([namespaceBoxId('team-15')]);
    expect(runs).toHaveLength(1);

    pipeline.toggle(poolId('lab-0/linux-worker'));
    // The control plane and worker-9 (NotReady) were drawn already; the pool's 88 Ready nodes join them.
    expect(last().view.nodes.filter((entry) => entry.data.type === 'node')).toHaveLength(2 + 88);
    expect(last().view.nodes.find((entry) => entry.data.label === 'worker-9')?.data.status?.text).toBe('NotReady');
    expect(last().view.nodes.find((entry) => entry.id === poolId('lab-0/linux-worker'))?.data.expanded).toBe(true);
  });
});
