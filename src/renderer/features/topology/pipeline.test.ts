import { describe, expect, it } from 'vitest';
import { ClientModel } from './client-model';
import { deployment, node, pod, podsOf } from './fixtures.test-support';
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
