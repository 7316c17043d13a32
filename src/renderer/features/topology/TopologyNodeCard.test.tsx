import type { NodeProps } from '@xyflow/react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ContainerTally, GroupTally } from './graph-types';
import { groupNode, namespaceBox, poolBox } from './boxes';
import { TopologyNodeCard } from './TopologyNodeCard';
import type { GraphNode } from './graph-types';

const render = (data: GraphNode) =>
  renderToStaticMarkup(<TopologyNodeCard {...({ data } as unknown as NodeProps & { data: GraphNode })} />);

const tally = (extra: Partial<GroupTally>): GroupTally => ({
  id: 'group:d-web',
  kind: 'Deployment',
  name: 'web',
  namespace: 'shop',
  total: 100,
  ready: 80,
  problems: 20,
  nodes: new Map(),
  shown: 9,
  ...extra,
});

const container = (kind: ContainerTally['kind'], extra: Partial<ContainerTally> = {}): ContainerTally => ({
  id: kind === 'NodePool' ? 'pool:lab-1/linux-worker' : 'ns:shop',
  kind,
  name: 'shop',
  label: kind === 'NodePool' ? 'Linux workers on lab-1' : 'shop',
  members: 90,
  services: 12,
  total: 1_000,
  ready: 990,
  expanded: false,
  ...extra,
});

describe('TopologyNodeCard', () => {
  it('says how many failing pods a collapsed group does not draw, and how many pods an expanded one does not', () => {
    const collapsed = render(groupNode(tally({}), false));
    expect(collapsed).toContain('80/100 ready, 20 failing');
    expect(collapsed).toContain('11 more failing not drawn');
    const expanded = render(groupNode(tally({ total: 5_000, problems: 0, ready: 5_000, shown: 200 }), true));
    expect(expanded).toContain('4800 more not drawn');
    expect(render(groupNode(tally({ problems: 0, ready: 100, shown: 0 }), false))).not.toContain('topology-more');
  });

  it('draws a node pool and a folded namespace with what they hold', () => {
    const pool = render(poolBox(container('NodePool')));
    expect(pool).toContain('data-testid="topology-pool"');
    expect(pool).toContain('aria-label="Node pool Linux workers on lab-1"');
    expect(pool).toContain('Node pool');
    expect(pool).toContain('90 nodes');
    expect(pool).toContain('90 Ready');
    const namespace = render(namespaceBox(container('Namespace')));
    expect(namespace).toContain('data-testid="topology-namespace"');
    expect(namespace).toContain('90 workloads · 12 Services · 1000 pods');
    expect(namespace).toContain('990/1000 ready');
  });
});
