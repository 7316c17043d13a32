/**
 * Pipeline stage 5, incremental update: graph + positions -> the boxes React Flow draws and the
 * edges as SVG paths. A box whose content and place did not change keeps its previous object,
 * so React Flow's memoised node components skip it; a box the layout has not placed yet is put
 * beside a neighbour until the next layout run (which the layout key asks for). Edges are not
 * React Flow edges: thousands of them (every node that runs a pod of every Deployment) made
 * each pan and zoom frame run thousands of store subscriptions, so they are drawn as one path
 * per kind of edge, rebuilt only when a box moves or an edge comes or goes.
 */
import type { GraphEdgeKind, GraphNode, TopologyGraph } from './graph-types';
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

/** Every edge of one kind as one SVG path (flow coordinates). */
export interface EdgePath {
  kind: GraphEdgeKind;
  d: string;
  /** How many edges the path draws. */
  count: number;
}

export interface TopologyView {
  nodes: ViewNode[];
  paths: EdgePath[];
  /** Boxes placed provisionally (not laid out yet). */
  provisional: number;
  /** Where the backdrop under the edges goes (EdgeLayer.tsx): every box, BACKDROP_MARGIN around. */
  backdrop: Rect | undefined;
}

export const emptyView: TopologyView = { nodes: [], paths: [], provisional: 0, backdrop: undefined };

/** How far the backdrop reaches past the outermost boxes, in flow pixels. */
const BACKDROP_MARGIN = 40;

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
    x.pods?.failing === y.pods?.failing &&
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
  return { nodes, paths: edgePaths(graph, nodes, previous.paths), provisional, backdrop: boxBounds(nodes, BACKDROP_MARGIN) };
}

/**
 * The view after an in-place graph patch: only the boxes in `changed` get new data. Their place
 * and size cannot have changed (the patch refuses such changes), so the edges stay as they are.
 */
export function patchView(view: TopologyView, graph: TopologyGraph, changed: ReadonlySet<string>): TopologyView {
  if (changed.size === 0) return view;
  const fresh = new Map<string, GraphNode>();
  for (const node of graph.nodes) if (changed.has(node.id)) fresh.set(node.id, node);
  const nodes = view.nodes.map((old) => {
    const data = fresh.get(old.id);
    if (!data) return old;
    const next = { ...old, data };
    return sameNode(old, next) ? old : next;
  });
  return { ...view, nodes };
}

/** A rectangle in flow coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The rectangle every box lies in (children lie in their parents), `margin` around it; none for an empty map. */
export function boxBounds(nodes: readonly ViewNode[], margin = 0): Rect | undefined {
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const node of nodes) {
    if (node.parentId) continue;
    left = Math.min(left, node.position.x);
    top = Math.min(top, node.position.y);
    right = Math.max(right, node.position.x + node.width);
    bottom = Math.max(bottom, node.position.y + node.height);
  }
  if (left > right) return undefined;
  return { x: left - margin, y: top - margin, width: right - left + 2 * margin, height: bottom - top + 2 * margin };
}

/** Above this many edges they are drawn straight: cheaper to raster, and a curve reads no better in a crowd. */
export const CURVED_EDGES_UP_TO = 400;

/** From the right side of one box to the left side of another: a curve as React Flow draws it, or a line. */
function edgeSegment(from: ViewNode, to: ViewNode, curved: boolean): string {
  const r = Math.round;
  const sx = r(from.position.x + from.width);
  const sy = r(from.position.y + from.height / 2);
  const tx = r(to.position.x);
  const ty = r(to.position.y + to.height / 2);
  if (!curved) return `M${sx} ${sy}L${tx} ${ty}`;
  const bend = r(Math.max(Math.abs(tx - sx) / 2, 25));
  return `M${sx} ${sy}C${sx + bend} ${sy} ${tx - bend} ${ty} ${tx} ${ty}`;
}

/** One path per kind of edge, between boxes that are placed on the map (not inside a group). */
export function edgePaths(graph: TopologyGraph, nodes: readonly ViewNode[], previous: readonly EdgePath[] = []): EdgePath[] {
  const boxes = new Map<string, ViewNode>();
  for (const node of nodes) if (!node.parentId) boxes.set(node.id, node);
  const parts = new Map<GraphEdgeKind, string[]>();
  const curved = graph.edges.length <= CURVED_EDGES_UP_TO;
  for (const edge of graph.edges) {
    const from = boxes.get(edge.source);
    const to = boxes.get(edge.target);
    if (!from || !to) continue;
    let list = parts.get(edge.kind);
    if (!list) parts.set(edge.kind, (list = []));
    list.push(edgeSegment(from, to, curved));
  }
  const before = new Map(previous.map((path) => [path.kind, path]));
  return [...parts].map(([kind, list]) => {
    const d = list.join('');
    const old = before.get(kind);
    return old?.d === d ? old : { kind, d, count: list.length };
  });
}
