/**
 * Pipeline stage 4, layout: the graph's skeleton (everything but the pods drawn inside an
 * expanded group) is laid out by ELK's layered algorithm in a web worker. Pods inside a group
 * sit on a grid that needs no layout run, and the skeleton's key only changes when a box
 * appears, disappears or changes size, so one pod coming or going never re-lays out the map.
 */
import type { GraphNode, TopologyGraph } from './graph-types';

export interface Size {
  width: number;
  height: number;
}
export interface Point {
  x: number;
  y: number;
}
export type Positions = ReadonlyMap<string, Point>;

/** The ELK graph shape (the subset used here). */
export interface ElkGraph {
  id: string;
  layoutOptions?: Record<string, string>;
  children: { id: string; width: number; height: number; x?: number; y?: number }[];
  edges: { id: string; sources: string[]; targets: string[] }[];
}

/** Something that lays out an ELK graph: elkjs in a worker in the app, elkjs in-process in tests. */
export interface LayoutEngine {
  layout(graph: ElkGraph): Promise<ElkGraph>;
}

export const CARD: Size = { width: 220, height: 64 };
export const POD: Size = { width: 170, height: 34 };
export const POD_GAP = 6;
export const GROUP_HEADER = 76;
export const GROUP_COLUMNS = 3;
const GROUP_PADDING = 10;

export function sizeOf(node: GraphNode): Size {
  if (node.type !== 'group' || !node.pods?.shown) return node.type === 'group' ? { width: CARD.width, height: CARD.height + 8 } : CARD;
  const columns = Math.min(GROUP_COLUMNS, node.pods.shown);
  const rows = Math.ceil(node.pods.shown / GROUP_COLUMNS);
  return {
    width: Math.max(CARD.width, GROUP_PADDING * 2 + columns * POD.width + (columns - 1) * POD_GAP),
    height: GROUP_HEADER + rows * (POD.height + POD_GAP) + GROUP_PADDING,
  };
}

/** Where the i-th pod of an expanded group sits, relative to the group's corner. */
export function podSlot(index: number): Point {
  return {
    x: GROUP_PADDING + (index % GROUP_COLUMNS) * (POD.width + POD_GAP),
    y: GROUP_HEADER + Math.floor(index / GROUP_COLUMNS) * (POD.height + POD_GAP),
  };
}

/** Boxes and edges that the layout depends on. */
export function skeletonOf(graph: TopologyGraph): TopologyGraph {
  const nodes = graph.nodes.filter((node) => !node.parent);
  const ids = new Set(nodes.map((node) => node.id));
  return { nodes, edges: graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target)) };
}

/** Changes only when the layout would: a box added, removed or resized, an edge added or removed. */
export function layoutKey(graph: TopologyGraph): string {
  const skeleton = skeletonOf(graph);
  const boxes = skeleton.nodes.map((node) => {
    const size = sizeOf(node);
    return `${node.id}:${size.width}x${size.height}`;
  });
  return `${boxes.sort().join('|')}#${skeleton.edges
    .map((edge) => edge.id)
    .sort()
    .join('|')}`;
}

/**
 * ELK needs this many edges into a box at most to place it: on a cluster where every Deployment
 * runs on every node (2,200 node -> group edges for 50 x 45), ELK's orthogonal routing of all of
 * them took 105 s on a loaded 2-core machine; three per box and polyline routing, about 2 s. The
 * map draws every edge itself (EdgeLayer), so ELK's routes are never used.
 */
export const ELK_EDGES_PER_BOX = 3;

/**
 * At most `perBox` edges into each box, but every box keeps at least one edge out, so no box
 * that has edges falls out of its component (ELK would park it beside the map).
 */
function thinEdges<T extends { source: string; target: string }>(edges: readonly T[], perBox: number): T[] {
  if (!Number.isFinite(perBox)) return [...edges];
  const incoming = new Map<string, number>();
  const outgoing = new Set<string>();
  return edges.filter((edge) => {
    const count = incoming.get(edge.target) ?? 0;
    if (count >= perBox && outgoing.has(edge.source)) return false;
    incoming.set(edge.target, count + 1);
    outgoing.add(edge.source);
    return true;
  });
}

export function toElkGraph(graph: TopologyGraph, edgesPerBox = Number.POSITIVE_INFINITY): ElkGraph {
  const skeleton = skeletonOf(graph);
  const edges = thinEdges(skeleton.edges, edgesPerBox);
  return {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.edgeRouting': 'POLYLINE',
      'elk.spacing.nodeNode': '24',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.separateConnectedComponents': 'true',
    },
    children: skeleton.nodes.map((node) => ({ id: node.id, ...sizeOf(node) })),
    edges: edges.map((edge) => ({ id: edge.id, sources: [edge.source], targets: [edge.target] })),
  };
}

export function positionsOf(laidOut: ElkGraph): Map<string, Point> {
  const positions = new Map<string, Point>();
  for (const child of laidOut.children) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}
