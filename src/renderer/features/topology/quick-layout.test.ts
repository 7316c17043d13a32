import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { deployment, endpointSlice, node, podsOf, service } from './fixtures.test-support';
import { buildGraph } from './group';
import { positionsOf, toElkGraph, type ElkGraph } from './layout';
import { quickLayout } from './quick-layout';

function lab(): TopologyObject[] {
  return [
    node('cp', { role: 'control-plane', host: 'lab-1', vm: 'lab-1-cp' }),
    node('w1', { host: 'lab-1', vm: 'lab-1-w1' }),
    node('w2', { host: 'lab-1', vm: 'lab-1-w2' }),
    ...deployment('web', 20),
    ...podsOf('web', 20, ['w1', 'w2']),
    ...deployment('db', 2),
    ...podsOf('db', 2, ['w2']),
    service('web'),
    endpointSlice('web', ['p-web-0']),
    service('lonely', ['53/UDP']),
  ];
}

function overlaps(graph: ElkGraph): string[] {
  const found: string[] = [];
  graph.children.forEach((a, index) => {
    for (const b of graph.children.slice(index + 1)) {
      const apart = a.x! + a.width <= b.x! || b.x! + b.width <= a.x! || a.y! + a.height <= b.y! || b.y! + b.height <= a.y!;
      if (!apart) found.push(`${a.id} / ${b.id}`);
    }
  });
  return found;
}

describe('quickLayout', () => {
  it('places every box left to right along the edges: host, VM, node, workload, slice, Service', () => {
    const placed = positionsOf(quickLayout(toElkGraph(buildGraph(lab()))));
    const x = (id: string) => placed.get(id)!.x;
    expect(x('host:lab-1')).toBeLessThan(x('vm:lab-1-w1'));
    expect(x('vm:lab-1-w1')).toBeLessThan(x('node:w1'));
    expect(x('node:w1')).toBeLessThan(x('group:d-web'));
    expect(x('group:d-web')).toBeLessThan(x('slice:es-web'));
    expect(x('slice:es-web')).toBeLessThan(x('svc:default/web'));
    expect(placed.size).toBe(toElkGraph(buildGraph(lab())).children.length);
  });

  it('never overlaps two boxes, also across unconnected parts, and gives the same places every time', () => {
    const elk = toElkGraph(buildGraph(lab()));
    const first = quickLayout(elk);
    expect(overlaps(first)).toEqual([]);
    expect(quickLayout(elk)).toEqual(first);
  });

  it('keeps a 5,000-pod map (50 Deployments on 45 nodes, 2,250 edges) free of overlaps', () => {
    const nodes = Array.from({ length: 45 }, (_, index) => node(`n${index}`));
    const objects: TopologyObject[] = [...nodes];
    for (let index = 0; index < 50; index += 1) {
      objects.push(
        ...deployment(`app${index}`, 100),
        ...podsOf(
          `app${index}`,
          100,
          nodes.map((entry) => entry.name),
        ),
      );
    }
    const elk = toElkGraph(buildGraph(objects));
    expect(elk.edges.length).toBeGreaterThan(2_000);
    expect(overlaps(quickLayout(elk))).toEqual([]);
  });
});
