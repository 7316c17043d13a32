import '@xyflow/react/dist/style.css';
import { Controls, MiniMap, ReactFlow, useReactFlow, useStore, type Node, type NodeMouseHandler, type NodeTypes } from '@xyflow/react';
import { useCallback, useEffect, useRef } from 'react';
import { EdgeLayer } from './EdgeLayer';
import { gestureClasses, MOVING_CLASS, PANNING_CLASS, SETTLE_MS, ZOOMING_CLASS } from './gesture-classes';
import type { GraphNode } from './graph-types';
import { TopologyNodeCard, TopologyPodCard } from './TopologyNodeCard';
import type { TopologyView } from './view';

const nodeTypes: NodeTypes = { topology: TopologyNodeCard, pod: TopologyPodCard };
// No <Background>: its dot pattern follows the zoom, so at the zoom that fits 5,000 pods it is
// some 180,000 dots re-rastered on every pan/zoom frame (more than every box and edge together).
const proOptions = { hideAttribution: true };

/**
 * Below this zoom a box's 11-12 px text would be under 5 px on screen: the map draws the boxes
 * without text (their colours and status tint remain). Rastering 200 boxes' text at each zoom
 * step was most of a wheel-zoom frame (p95 100 ms -> 33 ms without it on the 2-core machine).
 */
export const TEXT_FROM_ZOOM = 0.4;
const FAR_CLASS = 'topology-far';

/** Sets FAR_CLASS on the map while zoomed out past TEXT_FROM_ZOOM; renders only when that flips. */
function ZoomDetail({ root }: { root: React.RefObject<HTMLDivElement | null> }) {
  const far = useStore((state) => state.transform[2] < TEXT_FROM_ZOOM);
  useEffect(() => {
    root.current?.classList.toggle(FAR_CLASS, far);
  }, [root, far]);
  return null;
}

/**
 * The minimap redraws every box of it on each pan and zoom frame; above this many boxes it costs
 * more frame time than it helps (a map that big is read with fit view and the search).
 */
export const MINIMAP_UP_TO_BOXES = 150;

/**
 * Up to this many boxes all of them stay in the DOM: a pan or zoom then only moves the map's
 * compositor layer. Drawing only the visible ones made every gesture frame a React render that
 * added and removed boxes, then layout and paint of the layer (about 12 ms of main thread per
 * frame at 200 boxes on the 2-core machine).
 */
export const RENDER_ALL_UP_TO_BOXES = 600;

export interface TopologyMapProps {
  view: TopologyView;
  onSelect: (node: GraphNode | undefined) => void;
  onToggle: (groupId: string) => void;
  /** The user started panning or zooming (fit view and layouts move the map without this). */
  onUserMove: () => void;
  /** Changes when the map should fit itself to the screen (a new context, new boxes laid out). */
  fitKey: string;
  /** Changes when ELK refined the quick layout: fit again only if the user has not moved the map. */
  refineKey: number;
}

/** Fits the map after each layout of new boxes, and after a refinement unless the user moved it. */
function FitAfterLayout({ fitKey, refineKey, userMoved }: { fitKey: string; refineKey: number; userMoved: React.RefObject<boolean> }) {
  const flow = useReactFlow();
  useEffect(() => {
    userMoved.current = false;
    void flow.fitView({ duration: 0 });
  }, [flow, fitKey, userMoved]);
  useEffect(() => {
    if (refineKey > 0 && !userMoved.current) void flow.fitView({ duration: 0 });
  }, [flow, refineKey, userMoved]);
  return null;
}

const dataOf = (node: Node) => node.data as unknown as GraphNode;

/** Boxes a double-click opens or closes: a workload's pods, a pool's nodes, a folded namespace. */
export const isExpandable = (node: GraphNode): boolean => node.type === 'group' || node.type === 'pool' || node.type === 'namespace';

/** The map itself: React Flow draws the boxes the pipeline produced, EdgeLayer the edges. */
export function TopologyMap({ view, onSelect, onToggle, onUserMove, fitKey, refineKey }: TopologyMapProps) {
  // Handlers keep their identity across renders, so React Flow's store is not updated for them.
  const latest = useRef({ onSelect, onToggle, onUserMove, boxCount: view.nodes.length });
  latest.current = { onSelect, onToggle, onUserMove, boxCount: view.nodes.length };
  const userMoved = useRef(false);
  const onNodeClick = useCallback<NodeMouseHandler>((_, node) => latest.current.onSelect(dataOf(node)), []);
  const onNodeDoubleClick = useCallback<NodeMouseHandler>((_, node) => {
    const data = dataOf(node);
    if (isExpandable(data)) latest.current.onToggle(data.id);
  }, []);
  const onPaneClick = useCallback(() => latest.current.onSelect(undefined), []);
  const root = useRef<HTMLDivElement>(null);
  // A move with an input event is the user's (fitView moves without one).
  const settle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (!event) return;
    userMoved.current = true;
    latest.current.onUserMove();
    clearTimeout(settle.current);
    root.current?.classList.add(...gestureClasses(event.type, latest.current.boxCount));
  }, []);
  const onMoveEnd = useCallback(() => {
    root.current?.classList.remove(PANNING_CLASS);
    clearTimeout(settle.current);
    settle.current = setTimeout(() => root.current?.classList.remove(MOVING_CLASS, ZOOMING_CLASS), SETTLE_MS);
  }, []);
  useEffect(() => () => clearTimeout(settle.current), []);
  return (
    <ReactFlow
      ref={root}
      nodes={view.nodes as unknown as Node[]}
      nodeTypes={nodeTypes}
      fitView
      minZoom={0.05}
      maxZoom={2}
      onlyRenderVisibleElements={view.nodes.length > RENDER_ALL_UP_TO_BOXES}
      nodesDraggable={false}
      nodesConnectable={false}
      proOptions={proOptions}
      onNodeClick={onNodeClick}
      onNodeDoubleClick={onNodeDoubleClick}
      onPaneClick={onPaneClick}
      onMoveStart={onMoveStart}
      onMoveEnd={onMoveEnd}
      aria-label="Topology map"
    >
      <FitAfterLayout fitKey={fitKey} refineKey={refineKey} userMoved={userMoved} />
      <ZoomDetail root={root} />
      <EdgeLayer paths={view.paths} backdrop={view.backdrop} />
      <Controls showInteractive={false} />
      {view.nodes.length <= MINIMAP_UP_TO_BOXES && <MiniMap pannable zoomable ariaLabel="Overview of the map" />}
    </ReactFlow>
  );
}
