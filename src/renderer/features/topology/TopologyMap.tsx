import '@xyflow/react/dist/style.css';
import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Node, type NodeTypes } from '@xyflow/react';
import { useEffect } from 'react';
import type { GraphNode } from './graph-types';
import { TopologyNodeCard, TopologyPodCard } from './TopologyNodeCard';
import type { TopologyView } from './view';

const nodeTypes: NodeTypes = { topology: TopologyNodeCard, pod: TopologyPodCard };

export interface TopologyMapProps {
  view: TopologyView;
  onSelect: (node: GraphNode | undefined) => void;
  onToggle: (groupId: string) => void;
  /** Changes when the map should fit itself to the screen again (a new context, a layout run). */
  fitKey: string;
}

/** Fits the map to the screen after each layout run (new boxes may lie outside the view). */
function FitAfterLayout({ fitKey }: { fitKey: string }) {
  const flow = useReactFlow();
  useEffect(() => {
    void flow.fitView({ duration: 0 });
  }, [flow, fitKey]);
  return null;
}

/** The map itself: React Flow draws the nodes and edges the pipeline produced. */
export function TopologyMap({ view, onSelect, onToggle, fitKey }: TopologyMapProps) {
  return (
    <ReactFlow
      nodes={view.nodes as unknown as Node[]}
      edges={view.edges}
      nodeTypes={nodeTypes}
      fitView
      minZoom={0.05}
      maxZoom={2}
      onlyRenderVisibleElements
      nodesDraggable={false}
      nodesConnectable={false}
      proOptions={{ hideAttribution: true }}
      onNodeClick={(_, node) => onSelect(node.data as unknown as GraphNode)}
      onNodeDoubleClick={(_, node) => {
        const data = node.data as unknown as GraphNode;
        if (data.type === 'group') onToggle(data.id);
      }}
      onPaneClick={() => onSelect(undefined)}
      aria-label="Topology map"
    >
      <FitAfterLayout fitKey={fitKey} />
      <Background gap={24} />
      <Controls showInteractive={false} />
      <MiniMap pannable zoomable ariaLabel="Overview of the map" />
    </ReactFlow>
  );
}
