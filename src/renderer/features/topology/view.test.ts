import { describe, expect, it } from 'vitest';
import { deployment, node, pod } from './fixtures.test-support';
import { buildGraph } from './group';
import { buildView } from './view';

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
    expect(second.edges[0]).toBe(first.edges[0]);
  });

  it('places a box the layout has not seen beside a neighbour and counts it as provisional', () => {
    const view = buildView(buildGraph([node('a'), node('b')]), new Map([['node:a', { x: 0, y: 0 }]]));
    expect(view.provisional).toBe(1);
    expect(view.nodes.find((entry) => entry.id === 'node:b')?.position.y).toBeGreaterThan(0);
  });
});
