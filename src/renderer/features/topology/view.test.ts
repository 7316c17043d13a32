import { describe, expect, it } from 'vitest';
import { deployment, node, pod } from './fixtures.test-support';
import { buildGraph } from './group';
import { boxBounds, buildView, CURVED_EDGES_UP_TO, edgePaths, patchView, type ViewNode } from './view';

describe('buildView', () => {
  it('reuses unchanged nodes and replaces only the changed one', () => {
    const positions = new Map([
      ['node:a', { x: 0, y: 0 }],
      ['group:d-web', { x: 300, y: 0 }],
    ]);
    const objects = [node('a'), ...deployment('web', 2), pod('web-0', 'web', 'a'), pod('web-1', 'web', 'a')];
    const first = buildView(buildGraph(objects), positions);
    const second = buildView(
      buildGraph([...objects.slice(0, 4), pod('web-1', 'web', 'a', { ready: false, phase: 'Pending' })]),
      positions,
      first,
    );
    const changed = second.nodes.filter((entry, index) => entry !== first.nodes[index]).map((entry) => entry.id);
    expect(changed).toEqual(['group:d-web', 'pod:p-web-1']);
    expect(second.paths[0]).toBe(first.paths[0]);
  });

  it('places a box the layout has not seen beside a neighbour and counts it as provisional', () => {
    const view = buildView(buildGraph([node('a'), node('b')]), new Map([['node:a', { x: 0, y: 0 }]]));
    expect(view.provisional).toBe(1);
    expect(view.nodes.find((entry) => entry.id === 'node:b')?.position.y).toBeGreaterThan(0);
  });
});

describe('boxBounds', () => {
  const box = (id: string, x: number, y: number, width: number, height: number, parentId?: string): ViewNode => ({
    ...buildView(buildGraph([node('a')]), new Map([['node:a', { x, y }]])).nodes[0]!,
    id,
    width,
    height,
    ...(parentId ? { parentId } : {}),
  });

  it('spans every top-level box with the margin around it; children lie in their parents', () => {
    const nodes = [box('a', 10, 20, 100, 50), box('b', -30, 400, 220, 60), box('child', 5_000, 5_000, 10, 10, 'b')];
    expect(boxBounds(nodes)).toEqual({ x: -30, y: 20, width: 220, height: 440 });
    expect(boxBounds(nodes, 40)).toEqual({ x: -70, y: -20, width: 300, height: 520 });
  });

  it('has no bounds for an empty map', () => {
    expect(boxBounds([])).toBeUndefined();
  });
});

describe('edge paths and in-place view updates', () => {
  const objects = [node('a'), node('b'), ...deployment('web', 2), pod('web-0', 'web', 'a'), pod('web-1', 'web', 'b')];
  const positions = new Map([
    ['node:a', { x: 0, y: 0 }],
    ['node:b', { x: 0, y: 100 }],
    ['group:d-web', { x: 400, y: 0 }],
  ]);

  it('draws the edges of a kind as one path from the right side of the source to the left side of the target', () => {
    const view = buildView(buildGraph(objects), positions);
    expect(view.paths).toHaveLength(1);
    expect(view.paths[0]).toMatchObject({ kind: 'runs', count: 2 });
    // node:a is 220 wide and 64 high; the group is at x 400.
    expect(view.paths[0]!.d.startsWith('M220 32C')).toBe(true);
    expect(view.paths[0]!.d).toContain('400 ');
  });

  it('draws straight lines when there are many edges', () => {
    const graph = buildGraph(objects);
    const many = { ...graph, edges: Array.from({ length: CURVED_EDGES_UP_TO + 1 }, () => graph.edges[0]!) };
    const [path] = edgePaths(many, buildView(graph, positions).nodes);
    expect(path!.d).toMatch(/^M220 32L400 \d+M/);
  });

  it('patches only the boxes that changed and keeps every other object, edges included', () => {
    const first = buildView(buildGraph(objects), positions);
    const graph = buildGraph([node('a', { ready: 'False' }), ...objects.slice(1)]);
    const second = patchView(first, graph, new Set(['node:a']));
    expect(second.nodes.filter((entry, index) => entry !== first.nodes[index]).map((entry) => entry.id)).toEqual(['node:a']);
    expect(second.nodes[0]!.data.status?.text).toBe('NotReady');
    expect(second.paths).toBe(first.paths);
    expect(second).toEqual(buildView(graph, positions, first));
  });
});
