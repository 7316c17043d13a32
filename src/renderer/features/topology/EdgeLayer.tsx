import { EdgeLabelRenderer } from '@xyflow/react';
import { memo } from 'react';
import type { EdgePath } from './view';

/**
 * Every edge of the map in one SVG, one path per kind of edge (see view.ts for why these are not
 * React Flow edges). It sits in React Flow's edge-label layer: inside the pan/zoom transform and
 * under the boxes, so panning moves it without any React work.
 */
export const EdgeLayer = memo(function EdgeLayer({ paths }: { paths: readonly EdgePath[] }) {
  return (
    <EdgeLabelRenderer>
      <svg className="topology-edges" aria-hidden="true" data-testid="topology-edges">
        {paths.map((path) => (
          <path key={path.kind} className={`topology-edge topology-edge-${path.kind}`} d={path.d} data-count={path.count} />
        ))}
      </svg>
    </EdgeLabelRenderer>
  );
});
