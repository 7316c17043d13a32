/**
 * The map at the size issue #23 aims at (30,000 pods on 300 nodes, built in memory): what is
 * drawn, and that errors stay visible whatever is grouped away.
 */
import { describe, expect, it } from 'vitest';
import type { TopologyObject } from '../../../shared/contract';
import { buildGraph } from './group';
import { deploymentName, podName, scaleCluster } from './scale-fixture.test-support';

const cluster: TopologyObject[] = scaleCluster({
  notReady: ['worker-17', 'worker-295'],
  failing: [podName(3, 7), podName(3, 50), ...Array.from({ length: 20 }, (_, index) => podName(40, index * 5))],
});
const group = (index: number) => `group:d-${deploymentName(index)}`;

// Building 30,000 pods' graphs takes seconds on a loaded 2-core machine: not a timing test.
describe('the map of 30,000 pods on 300 nodes', { timeout: 60_000 }, () => {
  it('draws the failing pods of a collapsed group inside it and says how many fail', () => {
    const graph = buildGraph(cluster);
    expect(cluster.filter((object) => object.kind === 'Pod')).toHaveLength(30_000);
    const box = graph.nodes.find((node) => node.id === group(3))!;
    expect(box).toMatchObject({ expanded: false, pods: { total: 100, failing: 2, shown: 2 }, status: { tone: 'error' } });
    expect(box.status?.text).toContain('2 failing');
    expect(graph.nodes.filter((node) => node.parent === group(3)).map((node) => [node.label, node.status?.text])).toEqual([
      [podName(3, 50), 'CrashLoopBackOff'],
      [podName(3, 7), 'CrashLoopBackOff'],
    ]);
    // A healthy collapsed group draws no pod.
    expect(graph.nodes.filter((node) => node.parent === group(4))).toHaveLength(0);
  });

  it('draws at most a few failing pods in a collapsed group, and expanding it lists them first, bounded', () => {
    const collapsed = buildGraph(cluster).nodes.find((node) => node.id === group(40))!;
    expect(collapsed.pods).toEqual({ total: 100, ready: 80, failing: 20, shown: 9 });
    const expanded = buildGraph(cluster, { toggled: new Set([group(40)]), maxExpandedPods: 30 });
    expect(expanded.nodes.find((node) => node.id === group(40))).toMatchObject({ expanded: true, pods: { total: 100, shown: 30 } });
    const inside = expanded.nodes.filter((node) => node.parent === group(40));
    expect(inside.slice(0, 20).every((node) => node.status?.tone === 'error')).toBe(true);
    expect(inside.slice(20).every((node) => node.status?.tone === 'ok')).toBe(true);
  });

  it('an expanded group of thousands of pods draws maxExpandedPods of them', () => {
    const big = scaleCluster({ nodes: 10, windowsNodes: 0, deployments: 1, replicas: 5_000, failing: [podName(0, 4_999)] });
    const graph = buildGraph(big, { toggled: new Set([group(0)]) });
    expect(graph.nodes.find((node) => node.id === group(0))?.pods).toEqual({ total: 5_000, ready: 4_999, failing: 1, shown: 200 });
    const inside = graph.nodes.filter((node) => node.parent === group(0));
    expect(inside).toHaveLength(200);
    expect(inside[0]?.label).toBe(podName(0, 4_999));
  });

  it('draws every NotReady node with its status in words', () => {
    const graph = buildGraph(cluster);
    const notReady = graph.nodes.filter((node) => node.type === 'node' && node.status?.tone === 'error');
    expect(notReady.map((node) => [node.label, node.status?.text])).toEqual([
      ['worker-17', 'NotReady'],
      ['worker-295', 'NotReady'],
    ]);
  });
});
