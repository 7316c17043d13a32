import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { deployment, node, pod, podsOf } from './fixtures.test-support';
import { buildGraph } from './group';
import { layoutKey, podSlot, sizeOf, toElkGraph } from './layout';

describe('layout stage', () => {
  it('keeps its key when one pod joins a collapsed group, so no layout runs', () => {
    const base: TopologyObject[] = [node('a'), ...deployment('web', 300), ...podsOf('web', 300, ['a'])];
    const before = layoutKey(buildGraph(base));
    const after = layoutKey(buildGraph([...base, pod('web-new', 'web', 'a')]));
    expect(after).toBe(before);
  });

  it('keeps its key when a pod inside an expanded group changes status, and changes it for a new box', () => {
    const base: TopologyObject[] = [node('a'), ...deployment('web', 2), pod('web-0', 'web', 'a'), pod('web-1', 'web', 'a')];
    const key = layoutKey(buildGraph(base));
    const changed = base.map((object) => (object.uid === 'p-web-0' ? pod('web-0', 'web', 'a', { ready: false }) : object));
    expect(layoutKey(buildGraph(changed))).toBe(key);
    expect(layoutKey(buildGraph([...base, node('b')]))).not.toBe(key);
  });

  it('lays out only the skeleton: pods inside groups are on a grid', () => {
    const graph = buildGraph([node('a'), ...deployment('web', 4), ...podsOf('web', 4, ['a'])]);
    const elk = toElkGraph(graph);
    expect(elk.children.map((child) => child.id)).toEqual(['node:a', 'group:d-web']);
    const group = graph.nodes.find((entry) => entry.id === 'group:d-web')!;
    expect(sizeOf(group).height).toBeGreaterThan(100);
    expect(podSlot(3).y).toBeGreaterThan(podSlot(0).y);
  });
});
