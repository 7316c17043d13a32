/**
 * Pipeline stage 5, incremental update: graph + positions -> the nodes and edges React Flow
 * draws. A node whose content and place did not change keeps its previous object, so React
 * Flow's memoised node components skip it; a box the layout has not placed yet is put beside
 * a neighbour until the next layout run (which the layout key asks for).
 */
import type { GraphEdge, GraphNode, TopologyGraph } from './graph-types';
import { podSlot, sizeOf, type Point, type Positions } from './layout';

/** A React Flow node (the fields used here). */
export interface ViewNode {
  id: string;
  type: 'topology' | 'pod';
  position: Point;
  data: GraphNode;
  parentId?: string;
  width: number;
  height: number;
  draggable: false;
  connectable: false;
  selectable: boolean;
}

export interface ViewEdge {
  id: string;
  source: string;
  target: string;
  className: string;
  data: { kind: GraphEdge['kind'] };
}

export interface TopologyView {
  nodes: ViewNode[];
  edges: ViewEdge[];
  /** Boxes placed provisionally (not laid out yet). */
  provisional: number;
}

export const emptyView: TopologyView = { nodes: [], edges: [], provisional: 0 };

function sameNode(a: ViewNode, b: ViewNode): boolean {
  if (a.position.x !== b.position.x || a.position.y !== b.position.y || a.width !== b.width || a.height !== b.height) return false;
  const x = a.data;
  const y = b.data;
  return (
    x.label === y.label &&
    x.detail === y.detail &&
    x.status?.text === y.status?.text &&
    x.status?.tone === y.status?.tone &&
    x.pods?.total === y.pods?.total &&
    x.pods?.ready === y.pods?.ready &&
    x.pods?.shown === y.pods?.shown &&
    x.expanded === y.expanded &&
    x.match === y.match
  );
}

export function buildView(graph: TopologyGraph, positions: Positions, previous: TopologyView = emptyView): TopologyView {
  const before = new Map(previous.nodes.map((node) => [node.id, node]));
  const placed = new Map<string, Point>();
  let provisional = 0;
  let lowest = 0;
  for (const position of positions.values()) lowest = Math.max(lowest, position.y);

  const neighbours = new Map<string, { id: string; side: 1 | -1 }[]>();
  for (const edge of graph.edges) {
    (neighbours.get(edge.target) ?? neighbours.set(edge.target, []).get(edge.target)!).push({ id: edge.source, side: 1 });
    (neighbours.get(edge.source) ?? neighbours.set(edge.source, []).get(edge.source)!).push({ id: edge.target, side: -1 });
  }
  const positionOf = (node: GraphNode): Point => {
    const known = positions.get(node.id);
    if (known) return known;
    provisional += 1;
    for (const neighbour of neighbours.get(node.id) ?? []) {
      const at = positions.get(neighbour.id) ?? placed.get(neighbour.id);
      if (at) return { x: at.x + neighbour.side * 310, y: at.y + 20 * provisional };
    }
    lowest += 110;
    return { x: 0, y: lowest };
  };

  const podIndex = new Map<string, number>();
  const nodes: ViewNode[] = [];
  for (const node of graph.nodes) {
    let position: Point;
    if (node.parent) {
      const index = podIndex.get(node.parent) ?? 0;
      podIndex.set(node.parent, index + 1);
      position = podSlot(index);
    } else {
      position = positionOf(node);
      placed.set(node.id, position);
    }
    const size = node.parent ? { width: 170, height: 34 } : sizeOf(node);
    const next: ViewNode = {
      id: node.id,
      type: node.type === 'pod' && node.parent ? 'pod' : 'topology',
      position,
      data: node,
      width: size.width,
      height: size.height,
      draggable: false,
      connectable: false,
      selectable: true,
    };
    if (node.parent) next.parentId = node.parent;
    const old = before.get(node.id);
    nodes.push(old && sameNode(old, next) ? old : next);
  }
  // React Flow wants a parent before its children.
  nodes.sort((a, b) => Number(Boolean(a.parentId)) - Number(Boolean(b.parentId)));

  const oldEdges = new Map(previous.edges.map((edge) => [edge.id, edge]));
  const edges = graph.edges.map(
    (edge) =>
      oldEdges.get(edge.id) ?? {
        id: edge.id,
        source: edge.source,
        target: edge.target,
        className: `topology-edge topology-edge-${edge.kind}`,
        data: { kind: edge.kind },
      },
  );
  return { nodes, edges, provisional };
}
