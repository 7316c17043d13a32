import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { deployment, node, pod, podsOf } from './fixtures.test-support';
import { buildGraph } from './group';
import { ELK_EDGES_PER_BOX, layoutKey, podSlot, sizeOf, toElkGraph } from './layout';

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

  it('gives ELK at most three edges into a box, yet keeps every box that has edges connected', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e'];
    const graph = buildGraph([
      ...nodes.map((name) => node(name)),
      ...deployment('web', 10),
      ...podsOf('web', 10, nodes),
      ...deployment('db', 10),
      ...podsOf('db', 10, nodes),
    ]);
    expect(graph.edges).toHaveLength(10);
    const elk = toElkGraph(graph, ELK_EDGES_PER_BOX);
    const into = (target: string) => elk.edges.filter((edge) => edge.targets[0] === target).map((edge) => edge.sources[0]);
    // Three edges fill a group's share, but node:d and node:e keep one each (into web), so they stay beside it.
    expect(into('group:d-web')).toEqual(['node:a', 'node:b', 'node:c', 'node:d', 'node:e']);
    expect(into('group:d-db')).toEqual(['node:a', 'node:b', 'node:c']);
    expect(toElkGraph(graph).edges).toHaveLength(10);
    expect(elk.layoutOptions?.['elk.edgeRouting']).toBe('POLYLINE');
  });
});
